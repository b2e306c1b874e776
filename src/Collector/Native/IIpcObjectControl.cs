namespace IpcAudit.Collector.Native;

/// <summary>
/// One object as the kernel holds it now (IPC_STAT), for `reap` to compare against the snapshot it
/// decided on. Times in Unix seconds, null when the kernel reports 0 (never). Fields that do not
/// apply to the kind are null.
/// </summary>
public sealed record IpcObjectStat
{
    public required uint Key { get; init; }
    public required int Mode { get; init; }
    public required uint Uid { get; init; }
    public long? Ctime { get; init; }
    // shm
    public ulong? Size { get; init; }
    public long? Nattch { get; init; }
    public int? Cpid { get; init; }
    public int? Lpid { get; init; }
    public long? Atime { get; init; }
    public long? Dtime { get; init; }
    // sem
    public int? Nsems { get; init; }
    public long? Otime { get; init; }
    // msg
    public ulong? Cbytes { get; init; }
    public ulong? Qnum { get; init; }
    public int? Lspid { get; init; }
    public int? Lrpid { get; init; }
    public long? Stime { get; init; }
    public long? Rtime { get; init; }
}

/// <summary>
/// Reading one object by id and removing it (IPC_RMID): what `reap` needs beyond the collector's reads.
/// Behind an interface so the reaper's decisions are tested without a kernel.
/// </summary>
public interface IIpcObjectControl
{
    /// <param name="kind">"shm", "sem" or "msg".</param>
    SyscallResult<IpcObjectStat> Stat(string kind, int id);

    /// <summary>The semaphores of an array now (values, waiters, last pids): <see cref="IIpcSyscalls.ReadSemaphores"/>.</summary>
    SyscallResult<Model.Semaphore[]> ReadSemaphores(int semid, int nsems);

    /// <summary>IPC_RMID. Ok(true) when removed; Gone when the id no longer exists.</summary>
    SyscallResult<bool> Remove(string kind, int id);
}
