using IpcAudit.Collector.Model;
using IpcAudit.Store;

namespace IpcAudit.Tests.Support;

/// <summary>Snapshots built in memory, for storage tests that need no kernel.</summary>
public static class SyntheticSnapshots
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static HostIdentity Host(string name = "web1", string boot = "boot-a") => new()
    {
        Host = name, MachineId = "m-" + name, BootId = boot, Kernel = "6.18.0", IpcNamespace = 4026531839, PageSize = 4096,
    };

    public static ShmSegment Shm(int id, ulong bytes = 65536, int cpid = 100, long nattch = 0, int[]? attached = null) => new()
    {
        Id = id, Key = (uint)(0x1000 + id), Mode = 0x1B6, Bytes = bytes, Cpid = cpid, Lpid = cpid, Nattch = nattch,
        Uid = 1000, Gid = 1000, Cuid = 1000, Cgid = 1000, Ctime = T0.AddDays(-1), RssBytes = 4096, SwapBytes = 0,
        AttachedPids = attached ?? [],
    };

    public static SemArray Sem(int id, int nsems = 2, int value = 1) => new()
    {
        Id = id, Key = (uint)(0x2000 + id), Mode = 0x180, Nsems = nsems, Uid = 0, Gid = 0, Cuid = 0, Cgid = 0,
        Otime = T0.AddHours(-2), Ctime = T0.AddDays(-1),
        Semaphores = Enumerable.Range(0, nsems).Select(n => new Semaphore(n, value, 0, 0, 200)).ToArray(),
    };

    public static MsgQueue Msg(int id, ulong qnum = 0) => new()
    {
        Id = id, Key = (uint)(0x3000 + id), Mode = 0x1A4, Cbytes = qnum * 100, Qnum = qnum, Lspid = 300, Lrpid = 0,
        Uid = 0, Gid = 0, Cuid = 0, Cgid = 0, Ctime = T0.AddDays(-1), Qbytes = 16384,
    };

    public static readonly string[] AllSteps = ["host", "limits", "shm", "sem", "msg", "sem-values", "msg-qbytes", "attachments", "usage", "processes", "names"];

    public static Snapshot Build(DateTimeOffset at, IReadOnlyList<ShmSegment>? shm = null, IReadOnlyList<SemArray>? sem = null,
        IReadOnlyList<MsgQueue>? msg = null, IReadOnlyList<ProcessInfo>? processes = null, HostIdentity? host = null,
        IpcLimits? limits = null, string[]? failedSteps = null) => new()
    {
        Host = host ?? Host(),
        TakenAt = at,
        CollectorVersion = "test",
        Limits = limits ?? new IpcLimits
        {
            Shmmax = 18446744073692774399, Shmall = 18446744073692774399, Shmmni = 4096, ShmRmidForced = 0,
            Semmsl = 32000, Semmns = 1024000000, Semopm = 500, Semmni = 32000, Msgmax = 8192, Msgmnb = 16384, Msgmni = 32000,
        },
        Usage = new IpcUsage { ShmSegments = shm?.Count ?? 0, SemArrays = sem?.Count ?? 0, MsgQueues = msg?.Count ?? 0 },
        Shm = shm ?? [], Sem = sem ?? [], Msg = msg ?? [],
        Processes = processes ?? [],
        Steps = AllSteps.Select(s => new CollectionStep(s, TimeSpan.FromMilliseconds(1), !(failedSteps ?? []).Contains(s))).ToList(),
    };

    /// <summary>A /dev/shm file (or, with <paramref name="semaphore"/>, sem.NAME) as the posix-shm step reads it; its inode follows its name.</summary>
    public static PosixShmObject PosixFile(string name, long bytes = 1 << 20, uint uid = 116, IReadOnlyList<int>? mapped = null,
        bool semaphore = false, long? value = null) => new()
    {
        Name = name, IsSemaphore = semaphore, Inode = InodeOf(name), Device = 41, Bytes = bytes,
        AllocatedBytes = bytes, Uid = uid, Gid = uid, Mode = 0x180, Mtime = T0.AddDays(-1), Ctime = T0.AddDays(-1), Value = value,
        MappedPids = mapped, OpenPids = mapped is null ? null : [],
    };

    // Deterministic (string.GetHashCode is not, from one process to the next).
    private static ulong InodeOf(string name) => name.Aggregate(17UL, (h, c) => unchecked(h * 31 + c)) & 0x7FFF_FFFF;

    public static PosixQueue PosixQueue(string name, long messages = 0, uint uid = 0, IReadOnlyList<int>? open = null) => new()
    {
        Name = name, Inode = InodeOf(name), Device = 42, Uid = uid, Gid = uid, Mode = 0x180,
        Mtime = T0.AddDays(-1), QsizeBytes = messages * 64, NotifyPid = 0, Messages = messages, MaxMessages = 10, MessageSize = 8192,
        OpenPids = open ?? [],
    };

    /// <summary>A PostgreSQL server (pid 812, uid 116), the program the POSIX tests' PostgreSQL.NNNN files belong to.</summary>
    public static ProcessInfo Postgres(DateTimeOffset started) => new()
    {
        Pid = 812, Alive = true, Comm = "postgres", Cmdline = "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main",
        Uid = 116, StartTime = started, StartTicks = 1000, Ppid = 1,
    };

    /// <summary>Stores <paramref name="snapshots"/> in order into the database at <paramref name="db"/>; returns its path.</summary>
    public static string Stored(string db, IEnumerable<Snapshot> snapshots)
    {
        using var store = SnapshotStore.OpenForWrite(db);
        foreach (var s in snapshots) store.Save(() => s);
        return db;
    }

    /// <summary><paramref name="s"/> with POSIX objects and both POSIX steps succeeded.</summary>
    public static Snapshot WithPosix(Snapshot s, PosixIpc posix) => s with
    {
        Posix = posix,
        Steps = [.. s.Steps, new CollectionStep("posix-shm", TimeSpan.Zero, true), new CollectionStep("posix-mq", TimeSpan.Zero, true)],
    };

    /// <summary>A host with n objects of each kind, all unchanged from one snapshot to the next.</summary>
    public static Snapshot Steady(DateTimeOffset at, int perKind) => Build(at,
        shm: Enumerable.Range(0, perKind).Select(i => Shm(i)).ToList(),
        sem: Enumerable.Range(0, perKind).Select(i => Sem(i)).ToList(),
        msg: Enumerable.Range(0, perKind).Select(i => Msg(i)).ToList());
}
