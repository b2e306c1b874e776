namespace IpcAudit.Collector.Model;

/// <summary>
/// Usage as `ipcs -u` shows it, from shmctl(SHM_INFO), semctl(SEM_INFO) and msgctl(MSG_INFO).
/// Null when the live syscalls are not available (collection from a saved /proc copy).
/// </summary>
public sealed record IpcUsage
{
    public long? ShmSegments { get; init; }
    public ulong? ShmPagesAllocated { get; init; }
    public ulong? ShmPagesResident { get; init; }
    public ulong? ShmPagesSwapped { get; init; }
    public long? SemArrays { get; init; }
    public long? SemSemaphores { get; init; }
    public long? MsgQueues { get; init; }
    public long? MsgMessages { get; init; }
    public long? MsgBytes { get; init; }
}
