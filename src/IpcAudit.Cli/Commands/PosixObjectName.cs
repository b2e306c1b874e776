using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>`show --object KIND:NAME`: which POSIX object, and the one-line error when the snapshot has none of that name.</summary>
public static class PosixObjectName
{
    /// <summary>KIND is posix_shm, posix_sem or posix_mq; NAME may hold a colon (split at the first one), not a slash.</summary>
    public static (string? Kind, string? Name) Parse(string text)
    {
        var colon = text.IndexOf(':');
        var (kind, name) = colon < 0 ? (text, "") : (text[..colon], text[(colon + 1)..]);
        if (!PosixObjectHistory.IsKind(kind) || name.Length == 0 || name.Contains('/'))
            throw new IpcAuditException($"--object: '{TerminalText.Clean(text)}' is not KIND:NAME with KIND posix_shm, posix_sem or posix_mq (e.g. posix_shm:PostgreSQL.1234)", ExitCodes.Usage);
        return (kind, name);
    }

    public static IpcAuditException NotFound(Snapshot s, long snapshotId, string kind, string name)
    {
        if (s.Posix is not { } p)
            return new IpcAuditException($"snapshot {snapshotId} holds no POSIX IPC (collected from a saved /proc, in another IPC namespace, or before schema 8)", ExitCodes.BadInput);
        var names = (kind switch { PosixKinds.Sem => p.Sem.Select(o => o.Name), PosixKinds.Mq => p.Mq.Select(q => q.Name), _ => p.Shm.Select(o => o.Name) }).ToList();
        var some = names.Count == 0 ? "none" : string.Join(", ", names.Take(10)) + (names.Count > 10 ? $", ... ({names.Count})" : "");
        return new IpcAuditException($"snapshot {snapshotId} has no {kind} named '{name}' (it has: {some})", ExitCodes.BadInput);
    }
}
