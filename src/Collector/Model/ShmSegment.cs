namespace IpcAudit.Collector.Model;

/// <summary>One System V shared memory segment, as /proc/sysvipc/shm and /proc/PID/maps show it.</summary>
public sealed record ShmSegment
{
    public required int Id { get; init; }
    public required uint Key { get; init; }
    /// <summary>Full mode word including SHM_DEST (0x200) and SHM_LOCKED (0x400); see <see cref="IpcMode"/>.</summary>
    public required int Mode { get; init; }
    public required ulong Bytes { get; init; }
    public required int Cpid { get; init; }
    public required int Lpid { get; init; }
    public required long Nattch { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required uint Cuid { get; init; }
    public required uint Cgid { get; init; }
    public DateTimeOffset? Atime { get; init; }
    public DateTimeOffset? Dtime { get; init; }
    public DateTimeOffset? Ctime { get; init; }
    /// <summary>Null on kernels whose /proc/sysvipc/shm has no rss column.</summary>
    public ulong? RssBytes { get; init; }
    public ulong? SwapBytes { get; init; }
    /// <summary>Live processes (same IPC namespace) that map the segment now; null when not known.</summary>
    public IReadOnlyList<int>? AttachedPids { get; init; }

    public bool IsDest => IpcMode.IsDest(Mode);
    public bool IsLocked => IpcMode.IsLocked(Mode);
}
