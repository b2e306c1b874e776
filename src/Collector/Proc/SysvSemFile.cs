using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>/proc/sysvipc/sem: one row per semaphore array. Values need semctl, so Semaphores stays null here.</summary>
public static class SysvSemFile
{
    public const string RelativePath = "sysvipc/sem";

    private const int Key = 0, Semid = 1, Perms = 2, Nsems = 3, Uid = 4, Gid = 5, Cuid = 6, Cgid = 7, Otime = 8, Ctime = 9;

    private static readonly SysvTable Table = new("key semid perms nsems uid gid cuid cgid otime ctime");

    /// <summary>Null when the kernel has no System V IPC (/proc/sysvipc/sem missing).</summary>
    public static IReadOnlyList<SemArray>? Read(ProcRoot root) =>
        root.ReadText(RelativePath) is { } text ? Parse(text, RelativePath) : null;

    public static IReadOnlyList<SemArray> Parse(string text, string fileName) =>
        Table.Parse(text, fileName, static row => new SemArray
        {
            Key = row.Key(Key),
            Id = row.Int(Semid),
            Mode = row.Mode(Perms),
            Nsems = row.Int(Nsems),
            Uid = row.UInt(Uid),
            Gid = row.UInt(Gid),
            Cuid = row.UInt(Cuid),
            Cgid = row.UInt(Cgid),
            Otime = row.Time(Otime),
            Ctime = row.Time(Ctime),
        });
}
