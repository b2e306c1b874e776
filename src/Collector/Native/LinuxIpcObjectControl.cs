using System.Buffers.Binary;
using System.Runtime.InteropServices;
using IpcAudit.Collector.Model;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Collector.Native;

/// <summary>
/// IPC_STAT and IPC_RMID by id on 64-bit Linux (glibc). Offsets checked with offsetof against glibc 2.36
/// on x86_64: shmid_ds segsz 48, atime 56, dtime 64, ctime 72, cpid 80, lpid 84, nattch 88; semid_ds
/// otime 48, ctime 64 (56 in the generic layout, see <see cref="SemidDsLayout"/>); msqid_ds stime 48,
/// rtime 56, ctime 64, cbytes 72, qnum 80, lspid 96, lrpid 100; ipc_perm key 0, uid 4, mode 20.
/// </summary>
public sealed class LinuxIpcObjectControl : IIpcObjectControl
{
    private const int IpcRmid = 0;
    private const int IpcStat = 2;
    private const int ShmidDsSize = 112;
    private const int MsqidDsSize = 120;

    private readonly LinuxIpcSyscalls _reads = new();

    public SyscallResult<Semaphore[]> ReadSemaphores(int semid, int nsems) => _reads.ReadSemaphores(semid, nsems);

    public unsafe SyscallResult<IpcObjectStat> Stat(string kind, int id)
    {
        var buffer = stackalloc byte[Math.Max(SemidDsLayout.BufferSize, MsqidDsSize)];
        var rc = kind switch
        {
            "shm" => LinuxIpcSyscalls.ShmCtl(id, IpcStat, buffer),
            "sem" => LinuxIpcSyscalls.SemCtl(id, 0, IpcStat, (nint)buffer),
            "msg" => LinuxIpcSyscalls.MsgCtl(id, IpcStat, buffer),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not shm, sem or msg"),
        };
        if (rc == -1) return SyscallResult<IpcObjectStat>.FromErrno(Marshal.GetLastPInvokeError());
        var ds = new ReadOnlySpan<byte>(buffer, Math.Max(SemidDsLayout.BufferSize, MsqidDsSize));
        return SyscallResult<IpcObjectStat>.Ok(kind switch
        {
            "shm" => Perm(ds) with
            {
                Size = U64(ds, 48), Atime = Time(ds, 56), Dtime = Time(ds, 64), Ctime = Time(ds, 72),
                Cpid = I32(ds, 80), Lpid = I32(ds, 84), Nattch = (long)U64(ds, 88),
            },
            "sem" => SemStat(ds),
            _ => Perm(ds) with
            {
                Stime = Time(ds, 48), Rtime = Time(ds, 56), Ctime = Time(ds, 64), Cbytes = U64(ds, 72), Qnum = U64(ds, 80),
                Lspid = I32(ds, 96), Lrpid = I32(ds, 100),
            },
        });
    }

    private static IpcObjectStat SemStat(ReadOnlySpan<byte> ds)
    {
        // Only where the layout is known: elsewhere nsems (and so the whole comparison) stays unknown.
        var arch = RuntimeInformation.ProcessArchitecture;
        if (SemidDsLayout.NsemsOffset(arch) is not { } nsemsAt) return Perm(ds);
        var ctimeAt = arch == Architecture.X64 ? 64 : 56;
        return Perm(ds) with { Otime = Time(ds, 48), Ctime = Time(ds, ctimeAt), Nsems = (int)U64(ds, nsemsAt) };
    }

    public unsafe SyscallResult<bool> Remove(string kind, int id)
    {
        var rc = kind switch
        {
            "shm" => LinuxIpcSyscalls.ShmCtl(id, IpcRmid, null),
            "sem" => LinuxIpcSyscalls.SemCtl(id, 0, IpcRmid, 0),
            "msg" => LinuxIpcSyscalls.MsgCtl(id, IpcRmid, null),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not shm, sem or msg"),
        };
        return rc == -1 ? SyscallResult<bool>.FromErrno(Marshal.GetLastPInvokeError()) : SyscallResult<bool>.Ok(true);
    }

    private static IpcObjectStat Perm(ReadOnlySpan<byte> ds) => new()
    {
        Key = BinaryPrimitives.ReadUInt32LittleEndian(ds), Uid = BinaryPrimitives.ReadUInt32LittleEndian(ds[4..]),
        Mode = (int)BinaryPrimitives.ReadUInt32LittleEndian(ds[20..]),
    };

    private static ulong U64(ReadOnlySpan<byte> ds, int at) => BinaryPrimitives.ReadUInt64LittleEndian(ds[at..]);
    private static int I32(ReadOnlySpan<byte> ds, int at) => BinaryPrimitives.ReadInt32LittleEndian(ds[at..]);
    private static long? Time(ReadOnlySpan<byte> ds, int at) => BinaryPrimitives.ReadInt64LittleEndian(ds[at..]) is var t && t != 0 ? t : null;
}
