namespace IpcAudit.Store;

/// <summary>One line of `ipcaudit snapshots`. A count is null when that kind's step failed in the snapshot.</summary>
public sealed record SnapshotSummary(
    long SnapshotId, string SnapshotUid, long ContextId, string Host, string? BootId, long? IpcNamespace,
    DateTimeOffset TakenAt, int? ShmCount, int? SemCount, int? MsgCount, string CollectorVersion);
