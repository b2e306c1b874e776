namespace IpcAudit.Store;

/// <summary>One line of `ipcaudit snapshots`. A count is null when that kind's step failed in the snapshot.</summary>
public sealed record SnapshotSummary(
    long SnapshotId, string SnapshotUid, long ContextId, string Host, string? BootId, long? IpcNamespace,
    DateTimeOffset TakenAt, int? ShmCount, int? SemCount, int? MsgCount, string CollectorVersion)
{
    /// <summary>Its IPC namespace's label (schema 7: "host", "docker:3f2a1b9c0d1e"); null when not recorded.</summary>
    public string? NamespaceLabel { get; init; }

    /// <summary>Whether `--namespace WANTED` names this snapshot's namespace.</summary>
    public bool InNamespace(string? wanted) => wanted is null || NamespaceNames.Matches(IpcNamespace, NamespaceLabel, wanted);
}
