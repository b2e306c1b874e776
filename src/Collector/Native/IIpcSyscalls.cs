namespace IpcAudit.Collector.Native;

/// <summary>
/// The live kernel calls the collector needs beyond /proc text. Behind an interface so unit tests
/// need no kernel and `--proc-root` collection can say "unavailable" instead of faking values.
/// </summary>
public interface IIpcSyscalls
{
    /// <summary>GETALL + GETNCNT/GETZCNT/GETPID for each semaphore of array <paramref name="semid"/>.</summary>
    SyscallResult<Model.Semaphore[]> ReadSemaphores(int semid, int nsems);

    /// <summary>msgctl(IPC_STAT).msg_qbytes.</summary>
    SyscallResult<ulong> ReadQueueCapacity(int msqid);

    /// <summary>shmctl(SHM_INFO), semctl(SEM_INFO), msgctl(MSG_INFO): what `ipcs -u` prints.</summary>
    SyscallResult<Model.IpcUsage> ReadUsage();
}

public enum SyscallStatus { Ok, Gone, PermissionDenied, Unavailable, Failed }

/// <summary>A native call's value or why there is none. EINVAL/EIDRM mean the object is gone, not an error.</summary>
public readonly record struct SyscallResult<T>(SyscallStatus Status, T? Value, int ErrorNumber = 0)
{
    public static SyscallResult<T> Ok(T value) => new(SyscallStatus.Ok, value);
    public static SyscallResult<T> FromErrno(int errno) => new(errno switch
    {
        Native.Errno.EINVAL or Native.Errno.EIDRM => SyscallStatus.Gone,
        Native.Errno.EACCES or Native.Errno.EPERM => SyscallStatus.PermissionDenied,
        Native.Errno.ENOSYS => SyscallStatus.Unavailable,
        _ => SyscallStatus.Failed,
    }, default, errno);
}

public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int EIDRM = 43;
}
