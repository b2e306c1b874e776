using System.Diagnostics;
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
            using var probe = Process.Start(new ProcessStartInfo("unshare", ["--ipc", "true"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stderr = probe.StandardError.ReadToEndAsync();
            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                probe.Kill(entireProcessTree: true);
                return "no answer within 10 s";
            }
            return probe.ExitCode == 0 ? null : stderr.Result.Trim() is { Length: > 0 } s ? s : $"exit code {probe.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
