namespace IpcAudit.Collector.Model;

/// <summary>One System V semaphore array, from /proc/sysvipc/sem plus semctl GETVAL/GETNCNT/GETZCNT/GETPID.</summary>
public sealed record SemArray
{
    public required int Id { get; init; }
    public required uint Key { get; init; }
    public required int Mode { get; init; }
    public required int Nsems { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required uint Cuid { get; init; }
    public required uint Cgid { get; init; }
    public DateTimeOffset? Otime { get; init; }
    public DateTimeOffset? Ctime { get; init; }
    /// <summary>Per-semaphore values; null when unknown (no permission, no live kernel, or the array vanished).</summary>
    public IReadOnlyList<Semaphore>? Semaphores { get; init; }
    /// <summary>The array was listed but removed before its values could be read (EINVAL/EIDRM).</summary>
    public bool Vanished { get; init; }
}

public readonly record struct Semaphore(int Num, int Value, int Ncount, int Zcount, int Pid);
