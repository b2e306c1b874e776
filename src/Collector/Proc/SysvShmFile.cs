using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>/proc/sysvipc/shm: one row per shared memory segment.</summary>
public static class SysvShmFile
{
    public const string RelativePath = "sysvipc/shm";

    // Column indexes into Table, in the order named below.
    private const int Key = 0, Shmid = 1, Perms = 2, Size = 3, Cpid = 4, Lpid = 5, Nattch = 6,
        Uid = 7, Gid = 8, Cuid = 9, Cgid = 10, Atime = 11, Dtime = 12, Ctime = 13, Rss = 14, Swap = 15;

    private static readonly SysvTable Table = new(
        "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime",
        optional: "rss swap");

    /// <summary>Null when the kernel has no System V IPC (/proc/sysvipc/shm missing).</summary>
    public static IReadOnlyList<ShmSegment>? Read(ProcRoot root) =>
        root.ReadText(RelativePath) is { } text ? Parse(text, RelativePath) : null;

    public static IReadOnlyList<ShmSegment> Parse(string text, string fileName) =>
        Table.Parse(text, fileName, static row => new ShmSegment
        {
            Key = row.Key(Key),
            Id = row.Int(Shmid),
            Mode = row.Mode(Perms),
            Bytes = row.ULong(Size),
            Cpid = row.Int(Cpid),
            Lpid = row.Int(Lpid),
            Nattch = row.Long(Nattch),
            Uid = row.UInt(Uid),
            Gid = row.UInt(Gid),
            Cuid = row.UInt(Cuid),
            Cgid = row.UInt(Cgid),
            Atime = row.Time(Atime),
            Dtime = row.Time(Dtime),
            Ctime = row.Time(Ctime),
            RssBytes = row.OptionalULong(Rss),
            SwapBytes = row.OptionalULong(Swap),
        });
}
