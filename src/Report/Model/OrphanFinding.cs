namespace IpcAudit.Report.Model;

/// <summary>
/// An object nobody alive uses. Age runs from the first snapshot in which it was seen orphaned,
/// in an unbroken run of snapshots of one boot, to the last snapshot of the window.
/// </summary>
public sealed record OrphanFinding
{
    public required string Host { get; init; }
    public required string Kind { get; init; }
    public required int Id { get; init; }
    /// <summary>"0x%08x".</summary>
    public required string Key { get; init; }
    /// <summary>Owner uid.</summary>
    public required uint Owner { get; init; }
    /// <summary>shm: segment size; sem: 0; msg: bytes queued (cbytes).</summary>
    public required ulong Bytes { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset OrphanedSince { get; init; }
    public required long AgeSeconds { get; init; }
    /// <summary>shm cpid; for sem/msg the last pid that used it (the kernel keeps no creator).</summary>
    public int? CreatorPid { get; init; }
    public bool? CreatorAlive { get; init; }
    /// <summary>One line for a person, e.g. "no attachments; creator 4711 and last user 4711 dead".</summary>
    public required string Reason { get; init; }
    /// <summary>e.g. "ipcrm -m 32769".</summary>
    public required string SuggestedCommand { get; init; }
    /// <summary>Commands of the processes involved, for people (may hold hostile text: escape on output).</summary>
    public string? CreatorCommand { get; init; }
}
