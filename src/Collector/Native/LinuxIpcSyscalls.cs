using System.Buffers;
using System.Runtime.InteropServices;
using IpcAudit.Collector.Model;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Collector.Native;

/// <summary>
/// The live System V calls on 64-bit Linux (glibc). Struct layouts are read at fixed offsets (checked with
/// offsetof against glibc 2.36 headers) instead of declaring managed structs: only a few fields matter.
/// </summary>
public sealed partial class LinuxIpcSyscalls : IIpcSyscalls
{
    private const int IpcStat = 2;
    private const int MsgInfo = 12;
    private const int MsgStatAny = 13;
    private const int ShmInfo = 14;
    private const int SemInfo = 19;
    private const int GetPid = 11;
    private const int GetAll = 13;
    private const int GetNcnt = 14;
    private const int GetZcnt = 15;

    private const int MsqidDsSize = 120;
    private const int MsqidDsQbytesOffset = 88;
    private const int ShmInfoSize = 48;
    private const int SemInfoSize = 40;
    private const int MsgInfoSize = 32;

    /// <summary>Up to this many semaphores the GETALL buffer lives on the stack (1 KiB).</summary>
    private const int StackSemaphores = 512;

    // semctl is variadic; on x86_64 a fixed fourth nint argument is passed the same way for every command.
    [LibraryImport("libc", EntryPoint = "semctl", SetLastError = true)]
    internal static partial int SemCtl(int semid, int semnum, int cmd, nint arg);

    [LibraryImport("libc", EntryPoint = "msgctl", SetLastError = true)]
    internal static unsafe partial int MsgCtl(int msqid, int cmd, void* buf);

    [LibraryImport("libc", EntryPoint = "shmctl", SetLastError = true)]
    internal static unsafe partial int ShmCtl(int shmid, int cmd, void* buf);

    public SyscallResult<Semaphore[]> ReadSemaphores(int semid, int nsems)
    {
        if (nsems <= 0) return SyscallResult<Semaphore[]>.Ok([]);

        // GETALL writes as many values as the array has *now*. An id removed and reused by a larger
        // array since /proc was read would overrun the buffer, so ask the kernel first; a different
        // size means a different array, which is the listed one gone.
        var actual = ReadNsems(semid);
        if (actual.Status != SyscallStatus.Ok) return new(actual.Status, null, actual.ErrorNumber);
        if (actual.Value != (ulong)nsems) return new(SyscallStatus.Gone, null, Errno.EIDRM);

        ushort[]? rented = null;
        Span<ushort> values = nsems <= StackSemaphores
            ? stackalloc ushort[StackSemaphores]
            : (rented = ArrayPool<ushort>.Shared.Rent(nsems));
        try
        {
            unsafe
            {
                fixed (ushort* p = values)
                    if (SemCtl(semid, 0, GetAll, (nint)p) == -1) return LastError<Semaphore[]>();
            }

            var semaphores = new Semaphore[nsems];
            for (var num = 0; num < nsems; num++)
            {
                var ncount = SemCtl(semid, num, GetNcnt, 0);
                if (ncount == -1) return LastError<Semaphore[]>();
                var zcount = SemCtl(semid, num, GetZcnt, 0);
                if (zcount == -1) return LastError<Semaphore[]>();
                var pid = SemCtl(semid, num, GetPid, 0);
                if (pid == -1) return LastError<Semaphore[]>();
                semaphores[num] = new Semaphore(num, values[num], ncount, zcount, pid);
            }
            return SyscallResult<Semaphore[]>.Ok(semaphores);
        }
        finally
        {
            if (rented != null) ArrayPool<ushort>.Shared.Return(rented);
        }
    }

    /// <summary>qbytes of every queue by id, from MSG_STAT_ANY; built on the first refused IPC_STAT.</summary>
    private Dictionary<int, ulong>? _qbytesById;

    public unsafe SyscallResult<ulong> ReadQueueCapacity(int msqid)
    {
        var ds = stackalloc byte[MsqidDsSize];
        if (MsgCtl(msqid, IpcStat, ds) == -1)
        {
            var refused = LastError<ulong>();
            // Without read permission IPC_STAT is refused, but MSG_STAT_ANY (Linux 4.17) checks none.
            if (refused.Status != SyscallStatus.PermissionDenied) return refused;
            _qbytesById ??= ReadAllQueueCapacities();
            return _qbytesById.TryGetValue(msqid, out var qbytes) ? SyscallResult<ulong>.Ok(qbytes) : refused;
        }
        return SyscallResult<ulong>.Ok(*(ulong*)(ds + MsqidDsQbytesOffset));
    }

    /// <summary>
    /// msgctl(index, MSG_STAT_ANY) for every index up to the highest in use (MSG_INFO's return value):
    /// it takes an index, not an id, and returns the id. Empty before Linux 4.17 (EINVAL for every index).
    /// </summary>
    private static unsafe Dictionary<int, ulong> ReadAllQueueCapacities()
    {
        var result = new Dictionary<int, ulong>();
        var info = stackalloc byte[MsgInfoSize];
        var maxIndex = MsgCtl(0, MsgInfo, info);
        var ds = stackalloc byte[MsqidDsSize];
        for (var index = 0; index <= maxIndex; index++)
        {
            var id = MsgCtl(index, MsgStatAny, ds);
            if (id >= 0) result[id] = *(ulong*)(ds + MsqidDsQbytesOffset);
        }
        return result;
    }

    public unsafe SyscallResult<IpcUsage> ReadUsage()
    {
        // The *_INFO commands return the highest used index, not a count: only -1 means anything.
        var shm = stackalloc byte[ShmInfoSize];
        if (ShmCtl(0, ShmInfo, shm) == -1) return LastError<IpcUsage>();
        var sem = stackalloc byte[SemInfoSize];
        if (SemCtl(0, 0, SemInfo, (nint)sem) == -1) return LastError<IpcUsage>();
        var msg = stackalloc byte[MsgInfoSize];
        if (MsgCtl(0, MsgInfo, msg) == -1) return LastError<IpcUsage>();

        return SyscallResult<IpcUsage>.Ok(new IpcUsage
        {
            ShmSegments = *(int*)shm,              // shm_info.used_ids
            ShmPagesAllocated = *(ulong*)(shm + 8), // shm_tot
            ShmPagesResident = *(ulong*)(shm + 16), // shm_rss
            ShmPagesSwapped = *(ulong*)(shm + 24),  // shm_swp
            SemArrays = *(int*)(sem + 28),          // seminfo.semusz
            SemSemaphores = *(int*)(sem + 36),      // seminfo.semaem
            MsgQueues = *(int*)msg,                 // msginfo.msgpool
            MsgMessages = *(int*)(msg + 4),         // msgmap
            MsgBytes = *(int*)(msg + 24),           // msgtql
        });
    }

    private static unsafe SyscallResult<ulong> ReadNsems(int semid)
    {
        if (SemidDsLayout.NsemsOffset(RuntimeInformation.ProcessArchitecture) is null)
            return new(SyscallStatus.Unavailable, 0);
        var ds = stackalloc byte[SemidDsLayout.BufferSize];
        if (SemCtl(semid, 0, IpcStat, (nint)ds) == -1) return LastError<ulong>();
        return SyscallResult<ulong>.Ok(SemidDsLayout.Nsems(new ReadOnlySpan<byte>(ds, SemidDsLayout.BufferSize), RuntimeInformation.ProcessArchitecture)!.Value);
    }

    private static SyscallResult<T> LastError<T>() => SyscallResult<T>.FromErrno(Marshal.GetLastPInvokeError());
}
