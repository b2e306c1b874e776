using IpcAudit.Collector.Model;

namespace IpcAudit.Report.Model;

/// <summary>"orphan" | "idle": the two verdicts a report lists (objects in use are not listed).</summary>
public static class Verdict
{
    /// <summary>Proved abandoned: every process that used it, and its family, is gone, and nothing alive could hold it.</summary>
    public const string Orphan = "orphan";
    /// <summary>Unused for at least --orphan-age, but nothing proves its holder is gone.</summary>
    public const string Idle = "idle";
}

/// <summary>
/// An object the report lists: an orphan, or an idle object. Both carry the evidence their verdict
/// rests on; only an orphan carries a removal command. Age: for an orphan, from the first snapshot
/// in which it was seen orphaned (no sign of use, every user gone), in an unbroken run of one boot,
/// to the last snapshot of the window; for an idle object, from the first snapshot after its last
/// sign of use.
/// </summary>
public sealed record OrphanFinding
{
    public string Verdict { get; init; } = Model.Verdict.Orphan;
    public required string Host { get; init; }
    /// <summary>The IPC namespace inode of the row's unit, and its label ("host", "docker:3f2a1b9c0d1e"); null when unknown.</summary>
    public long? Namespace { get; init; }
    public string? NamespaceLabel { get; init; }
    public required string Kind { get; init; }
    public required int Id { get; init; }
    /// <summary>"0x%08x".</summary>
    public required string Key { get; init; }
    /// <summary>A POSIX object's name (posix_shm, posix_sem, posix_mq), which has no id or key: they are written as null.</summary>
    public string? Name { get; init; }
    public bool IsPosix => Name is not null;
    /// <summary>Owner uid.</summary>
    public required uint Owner { get; init; }
    /// <summary>shm: segment size; sem: 0; msg: bytes queued (cbytes).</summary>
    public required ulong Bytes { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    /// <summary>The first snapshot after its last sign of use (or its first snapshot).</summary>
    public required DateTimeOffset UnusedSince { get; init; }
    /// <summary>Null for idle objects.</summary>
    public DateTimeOffset? OrphanedSince { get; init; }
    /// <summary>The latest kernel operation time it shows (attach/detach, semop, send/receive); null when none.</summary>
    public DateTimeOffset? LastOperation { get; init; }
    public required long AgeSeconds { get; init; }
    /// <summary>shm cpid; for sem/msg the last pid that used it (the kernel keeps no creator).</summary>
    public int? CreatorPid { get; init; }
    public bool? CreatorAlive { get; init; }
    /// <summary>One line for a person, e.g. "64 KiB segment, no attachments; every process that used it is gone".</summary>
    public required string Reason { get; init; }
    /// <summary>Every fact the verdict rests on, one short line each.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
    /// <summary>For an idle object: what is missing for an orphan verdict. Empty for orphans.</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];
    /// <summary>e.g. "ipcrm -m 32769"; null for idle objects, which are never to be removed on our word.</summary>
    public string? SuggestedCommand { get; init; }
    /// <summary>The owner's user name as its host resolved it at collect time; null when unknown.</summary>
    public string? OwnerName { get; init; }
    /// <summary>What program or service the object belongs to (<see cref="Collector.Attribution.ApplicationLabel"/>); null when nothing says.</summary>
    public string? Application { get; init; }
    /// <summary>Every process its history recorded, with its role; creator first.</summary>
    public IReadOnlyList<ObjectProcess> Processes { get; init; } = [];
    /// <summary>Commands of the processes involved, for people (may hold hostile text: escape on output).</summary>
    public string? CreatorCommand { get; init; }
}

