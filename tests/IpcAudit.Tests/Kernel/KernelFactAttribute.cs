using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// A test that needs a private IPC namespace. Skipped, with unshare's own words, where
/// `unshare --ipc` is not permitted (unprivileged developer machines, locked-down containers).
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(ProbeUnshare);

    public KernelFactAttribute()
    {
        if (WhyNot.Value is { } reason) Skip = "unshare --ipc not permitted here: " + reason;
    }

    private static string? ProbeUnshare()
    {
        try
        {
            var probe = BoundedProcess.Run("unshare", ["--ipc", "true"], TimeSpan.FromSeconds(10));
            return probe.ExitCode == 0 ? null : probe.Stderr.Trim() is { Length: > 0 } s ? s : $"exit code {probe.ExitCode}";
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    }
}
