namespace IpcAudit.Collector.Model;

/// <summary>
/// A file of the /dev/shm tmpfs: POSIX shared memory (shm_open), or a named semaphore (sem_open makes
/// /dev/shm/sem.NAME). Identified by name and inode: a file recreated under the same name is a new object.
/// </summary>
public sealed record PosixShmObject
{
    /// <summary>As shm_open / sem_open take it without the slash; "sem." stripped for a semaphore.</summary>
    public required string Name { get; init; }
    public required bool IsSemaphore { get; init; }
    public required ulong Inode { get; init; }
    /// <summary>The filesystem's device (major &lt;&lt; 32 | minor): with the inode it matches /proc/PID/maps and fd links.</summary>
    public ulong Device { get; init; }
    public required long Bytes { get; init; }
    /// <summary>Blocks actually allocated × 512: the RAM (or swap) a sparse file really pins.</summary>
    public required long AllocatedBytes { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    /// <summary>Permission bits (mode &amp; 07777).</summary>
    public required int Mode { get; init; }
    public DateTimeOffset? Mtime { get; init; }
    public DateTimeOffset? Ctime { get; init; }
    /// <summary>A semaphore's value read without changing it; null when not readable (or not a semaphore).</summary>
    public long? Value { get; init; }
    /// <summary>Unlinked but still mapped: only /proc/PID/maps still shows it ("(deleted)").</summary>
    public bool Deleted { get; init; }
    /// <summary>Live processes that map it now; null when not known (the scan failed or was not done).</summary>
    public IReadOnlyList<int>? MappedPids { get; init; }
    /// <summary>Live processes with an open descriptor on it now; null when not known.</summary>
    public IReadOnlyList<int>? OpenPids { get; init; }

    public string Kind => IsSemaphore ? PosixKinds.Sem : PosixKinds.Shm;
    public string FileName => IsSemaphore ? "sem." + Name : Name;
}

/// <summary>The report and store names of the POSIX kinds.</summary>
public static class PosixKinds
{
    public const string Shm = "posix_shm", Sem = "posix_sem", Mq = "posix_mq";
    public static readonly IReadOnlyList<string> All = [Shm, Sem, Mq];

    /// <summary>Where the object's file is, for the removal command, the reason and `show`.</summary>
    public static string PathOf(string kind, string name) => kind switch
    {
        Sem => "/dev/shm/sem." + name,
        Mq => "/dev/mqueue/" + name,
        _ => "/dev/shm/" + name,
    };
}
