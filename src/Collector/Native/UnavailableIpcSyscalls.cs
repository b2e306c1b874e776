using IpcAudit.Collector.Model;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Collector.Native;

/// <summary>
/// For collection from a saved /proc copy (`--proc-root`): there is no live kernel behind the files,
/// so every value is marked unavailable rather than read from whatever namespace we happen to run in.
/// </summary>
public sealed class UnavailableIpcSyscalls : IIpcSyscalls
{
    public static UnavailableIpcSyscalls Instance { get; } = new();

    public SyscallResult<Semaphore[]> ReadSemaphores(int semid, int nsems) => new(SyscallStatus.Unavailable, null);

    public SyscallResult<ulong> ReadQueueCapacity(int msqid) => new(SyscallStatus.Unavailable, 0);

    public SyscallResult<IpcUsage> ReadUsage() => new(SyscallStatus.Unavailable, null);
}
