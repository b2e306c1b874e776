using System.Globalization;
using System.Runtime.InteropServices;

namespace IpcAudit.Tests.Support;

/// <summary>
/// A small fake /proc for process tests: the base files of <see cref="ProcTreeBuilder"/> (no objects),
/// btime, our IPC namespace, and processes with exactly the stat/status fields the collector reads.
/// </summary>
public sealed class FakeProc
{
    public const ulong OtherNamespace = 4026532500;
    public string Root { get; }

    public FakeProc(string root, long btime = 1795200000, ulong? ipcNamespace = null)
    {
        Root = ProcTreeBuilder.Create(root, perKind: 0);
        Btime(btime);
        if (ipcNamespace is { } ns) Link("self/ns/ipc", ns);
    }

    public void Btime(long btime) => Write("stat", $"cpu  1 2 3 4\nbtime {btime}\nprocesses 9\n");

    /// <summary>
    /// Writes /proc/PID/{stat,status,cmdline,maps}, and ns/ipc when a namespace is given. The directory is
    /// owned by uid, or by owner (root for a non-dumpable process, as the kernel does).
    /// </summary>
    public FakeProc Process(int pid, string comm, ulong startTicks, int ppid = 1, uint uid = 0, char state = 'S', int threads = 1,
        uint flags = 0x400100, ulong? ipcNamespace = null, string maps = "", string? nspid = null, uint? owner = null)
    {
        var dir = pid.ToString(CultureInfo.InvariantCulture);
        Write(dir + "/stat", Stat(pid, comm, state, ppid, flags, startTicks));
        Write(dir + "/status",
            $"Name:\t{comm}\nState:\t{state} (x)\nTgid:\t{pid}\nPid:\t{pid}\nPPid:\t{ppid}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n" +
            $"NSpid:\t{nspid ?? dir}\nThreads:\t{threads}\n");
        Write(dir + "/cmdline", comm + "\0--flag\0");
        Write(dir + "/maps", maps);
        if (ipcNamespace is { } ns) Link(dir + "/ns/ipc", ns);
        Chown(Path.Combine(Root, dir), owner ?? uid);
        return this;
    }

    /// <summary>A thread of pid, under /proc/PID/task/TID.</summary>
    public FakeProc Thread(int pid, int tid, string comm, ulong startTicks, string maps, ulong? ipcNamespace = null)
    {
        var dir = $"{pid}/task/{tid}";
        Write(dir + "/stat", Stat(tid, comm, 'S', 1, 0x400040, startTicks));
        Write(dir + "/maps", maps);
        if (ipcNamespace is { } ns) Link(dir + "/ns/ipc", ns);
        return this;
    }

    public void Remove(int pid) => Directory.Delete(Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture)), recursive: true);

    public void Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>One msg row in the kernel's layout.</summary>
    public static string MsgRow(int id, int key, int lspid, int lrpid, uint uid, uint cuid, long stime, long rtime, long ctime, int qnum = 0) =>
        string.Format(CultureInfo.InvariantCulture, "{0,10} {1,10}  {2,4} {3,10} {4,10} {5,5} {6,5} {7,5} {8,5} {9,5} {10,5} {11,10} {12,10} {13,10}\n",
            key, id, 600, qnum * 100, qnum, lspid, lrpid, uid, uid, cuid, cuid, stime, rtime, ctime);

    public void Queues(params string[] rows) => Write("sysvipc/msg",
        "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n" + string.Concat(rows));

    /// <summary>One shm row in the kernel's layout.</summary>
    public static string ShmRow(int id, int key, int cpid, int lpid, int nattch, uint uid, long ctime) =>
        string.Format(CultureInfo.InvariantCulture, "{0,10} {1,10}  {2,4} {3,21} {4,5} {5,5} {6,5} {7,5} {8,5} {9,5} {10,5} {11,10} {12,10} {13,10} {14,21} {15,21}\n",
            key, id, 600, 4096, cpid, lpid, nattch, uid, uid, uid, uid, 0, 0, ctime, 4096, 0);

    public void Segments(params string[] rows) => Write("sysvipc/shm",
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n" + string.Concat(rows));

    public static string ShmMapsLine(int shmid, int key) => $"7f12c4a00000-7f12c4a01000 rw-s 00000000 00:01 {shmid}  /SYSV{key:x8} (deleted)\n";

    private static string Stat(int pid, string comm, char state, int ppid, uint flags, ulong startTicks) =>
        $"{pid} ({comm}) {state} {ppid} {pid} {pid} 0 -1 {flags} 168 0 0 0 0 0 0 0 20 0 1 0 {startTicks} 2404352 350 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

    private void Link(string relative, ulong ns)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
        File.CreateSymbolicLink(path, $"ipc:[{ns}]");
    }

    // The tests run as root, so they may give a process directory to any uid, as the kernel does.
    private static void Chown(string path, uint uid)
    {
        if (Lchown(path, uid, uint.MaxValue) != 0) throw new IOException($"lchown {path}: errno {Marshal.GetLastWin32Error()}");
    }

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int Lchown(string path, uint owner, uint group);
}
