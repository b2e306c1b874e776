using IpcAudit.Collector;
using IpcAudit.Collector.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// What `collect` refuses before it touches the database: values that would be stored and then
/// haunt every later run (a host with no name, a snapshot from the future, an empty snapshot of a
/// /proc that is not there).
/// </summary>
public static class CollectInput
{
    /// <summary>Clocks of one fleet disagree by seconds; a snapshot further ahead than this is a mistake unless said so.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public static void Check(string procRoot, DateTimeOffset? at, bool allowFuture, string? host, DateTimeOffset now)
    {
        if (host is not null && (string.IsNullOrWhiteSpace(host) || host.Any(char.IsControl)))
            throw new IpcAuditException($"--host: '{TerminalText.Clean(host)}' is not a host name (leave --host out to record the kernel's hostname)", ExitCodes.BadInput);
        if (!Directory.Exists(procRoot))
            throw new IpcAuditException($"--proc-root: {procRoot} is not a directory (give /proc, or a saved copy of it)", ExitCodes.BadInput);
        if (at is { } t && !allowFuture && t > now + FutureTolerance)
            throw new IpcAuditException(
                $"--at {TypedJson.IsoTime(t)} is {Math.Ceiling((t - now).TotalMinutes):0} minutes ahead of this machine's clock ({TypedJson.IsoTime(now)}): a snapshot from the future blocks every later collect of this host until then; pass --allow-future if it is meant",
                ExitCodes.BadInput);
    }
}
