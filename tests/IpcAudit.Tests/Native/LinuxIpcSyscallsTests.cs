using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Model;
using IpcAudit.Tests.Kernel;
using Xunit;

namespace IpcAudit.Tests.Native;

/// <summary>
/// The native layer against the real kernel. Objects are made only on a dedicated thread that first
/// moved itself into a private IPC namespace (namespaces belong to threads; CLONE_NEWIPC needs no
/// single-threaded process), so the test process never creates anything in the host's namespace.
/// </summary>
[Trait("Category", "Kernel")]
public sealed partial class LinuxIpcSyscallsTests
{
    private const int CloneNewIpc = 0x08000000;
    private const int IpcCreat = 0x200;
    private const int IpcRmid = 0;
    private const int SetVal = 16;
    private const int Mode0600 = 0x180;

    private readonly LinuxIpcSyscalls _syscalls = new();

    [Fact]
    public void QueueThatDoesNotExistIsGone() =>
        Assert.Equal(SyscallStatus.Gone, _syscalls.ReadQueueCapacity(int.MaxValue).Status);

    [Fact]
    public void ArrayThatDoesNotExistIsGone() =>
        Assert.Equal(SyscallStatus.Gone, _syscalls.ReadSemaphores(int.MaxValue, 3).Status);

    [Fact]
    public void SavedProcCopyHasNoLiveValues()
    {
        var unavailable = new UnavailableIpcSyscalls();
        Assert.Equal(SyscallStatus.Unavailable, unavailable.ReadUsage().Status);
        Assert.Equal(SyscallStatus.Unavailable, unavailable.ReadSemaphores(0, 1).Status);
        Assert.Equal(SyscallStatus.Unavailable, unavailable.ReadQueueCapacity(0).Status);
    }

    [KernelFact]
    public void SemaphoresReadBackTheirValuesAndTheLastPid() => InPrivateIpcNamespace(() =>
    {
        var semid = MakeArray(3, [1, 0, 5]);
        var read = _syscalls.ReadSemaphores(semid, 3);
        Assert.Equal(SyscallStatus.Ok, read.Status);
        var pid = Environment.ProcessId; // SETVAL records the caller as the semaphore's last pid
        Semaphore[] expected = [new(0, 1, 0, 0, pid), new(1, 0, 0, 0, pid), new(2, 5, 0, 0, pid)];
        Assert.Equal(expected, read.Value!);
    });

    [KernelFact]
    public void ArrayLargerThanTheStackBufferIsReadWhole() => InPrivateIpcNamespace(() =>
    {
        var values = Enumerable.Range(0, 1500).Select(i => i % 300).ToArray();
        var read = _syscalls.ReadSemaphores(MakeArray(values.Length, values), values.Length);
        Assert.Equal(values, read.Value!.Select(s => s.Value));
    });

    [KernelFact]
    public void ArrayOfAnotherSizeUnderTheSameIdIsGone() => InPrivateIpcNamespace(() =>
    {
        // The id was reused by a different array since /proc was read: GETALL must not overrun the buffer.
        var semid = MakeArray(4, []);
        Assert.Equal(SyscallStatus.Gone, _syscalls.ReadSemaphores(semid, 2).Status);
    });

    [KernelFact]
    public void RemovedArrayIsGone() => InPrivateIpcNamespace(() =>
    {
        var semid = MakeArray(2, []);
        Check(SemCtl(semid, 0, IpcRmid, 0), "semctl(IPC_RMID)");
        var read = _syscalls.ReadSemaphores(semid, 2);
        Assert.Equal((SyscallStatus.Gone, Errno.EINVAL), (read.Status, read.ErrorNumber));
    });

    [KernelFact]
    public void NewQueueCapacityIsTheNamespacesMsgmnb() => InPrivateIpcNamespace(() =>
    {
        var msgmnb = ulong.Parse(File.ReadAllText("/proc/sys/kernel/msgmnb")); // read by this thread: its namespace
        var msqid = Check(MsgGet(0, IpcCreat | Mode0600), "msgget");
        Assert.Equal(SyscallResult<ulong>.Ok(msgmnb), _syscalls.ReadQueueCapacity(msqid));
    });

    [KernelFact]
    public unsafe void UsageCountsWhatThisNamespaceHolds() => InPrivateIpcNamespace(() =>
    {
        var touched = Check(ShmGet(0, 65536, IpcCreat | Mode0600), "shmget");
        Check(ShmGet(0, 10000, IpcCreat | Mode0600), "shmget");
        var at = ShmAt(touched, 0, 0);
        Assert.NotEqual(-1, (long)at);
        new Span<byte>((void*)at, 65536).Fill(0x5A);
        Check(ShmDt(at), "shmdt");
        MakeArray(3, []);
        MakeArray(5, []);
        var queue = Check(MsgGet(0, IpcCreat | Mode0600), "msgget");
        Check(MsgGet(0, IpcCreat | Mode0600), "msgget");
        var message = stackalloc byte[sizeof(long) + 70];
        *(long*)message = 1;
        for (var i = 0; i < 3; i++) Check(MsgSnd(queue, message, 70, 0), "msgsnd");

        var usage = _syscalls.ReadUsage();
        Assert.Equal(SyscallStatus.Ok, usage.Status);
        Assert.Equal(new IpcUsage
        {
            ShmSegments = 2, ShmPagesAllocated = 16 + 3, ShmPagesResident = 16, ShmPagesSwapped = 0,
            SemArrays = 2, SemSemaphores = 8,
            MsgQueues = 2, MsgMessages = 3, MsgBytes = 210,
        }, usage.Value);
    });

    private static int MakeArray(int nsems, int[] values)
    {
        var semid = Check(SemGet(0, nsems, IpcCreat | Mode0600), "semget");
        for (var num = 0; num < values.Length; num++) Check(SemCtl(semid, num, SetVal, values[num]), "semctl(SETVAL)");
        return semid;
    }

    /// <summary>Runs <paramref name="body"/> on a new thread that has its own IPC namespace; the namespace dies with the thread.</summary>
    private static void InPrivateIpcNamespace(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var host = new FileInfo("/proc/thread-self/ns/ipc").LinkTarget;
                Check(Unshare(CloneNewIpc), "unshare(CLONE_NEWIPC)");
                var own = new FileInfo("/proc/thread-self/ns/ipc").LinkTarget;
                if (own == host) throw new InvalidOperationException($"unshare left this thread in the host IPC namespace {host}");
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        if (!thread.Join(KernelScenario.Timeout)) throw new TimeoutException("the namespace thread did not finish");
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
    }

    private static int Check(int result, string call) =>
        result != -1 ? result : throw new InvalidOperationException($"{call}: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "semget", SetLastError = true)]
    private static partial int SemGet(int key, int nsems, int flags);

    [LibraryImport("libc", EntryPoint = "semctl", SetLastError = true)]
    private static partial int SemCtl(int semid, int semnum, int cmd, nint arg);

    [LibraryImport("libc", EntryPoint = "shmget", SetLastError = true)]
    private static partial int ShmGet(int key, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "shmat", SetLastError = true)]
    private static partial nint ShmAt(int shmid, nint addr, int flags);

    [LibraryImport("libc", EntryPoint = "shmdt", SetLastError = true)]
    private static partial int ShmDt(nint addr);

    [LibraryImport("libc", EntryPoint = "msgget", SetLastError = true)]
    private static partial int MsgGet(int key, int flags);

    [LibraryImport("libc", EntryPoint = "msgsnd", SetLastError = true)]
    private static unsafe partial int MsgSnd(int msqid, void* msg, nuint size, int flags);
}
