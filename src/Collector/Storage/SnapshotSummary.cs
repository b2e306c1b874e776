namespace IpcAudit.Collector.Storage;

/// <summary>One line of `ipcaudit snapshots`.</summary>
public sealed record SnapshotSummary(
    long SnapshotId, string SnapshotUid, long ContextId, string Host, string? BootId, long? IpcNamespace,
    DateTimeOffset TakenAt, int ShmCount, int SemCount, int MsgCount, string CollectorVersion);
