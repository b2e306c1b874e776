using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>/proc/sysvipc/msg: one row per message queue. Capacity (qbytes) needs msgctl, so Qbytes stays null here.</summary>
public static class SysvMsgFile
{
    public const string RelativePath = "sysvipc/msg";

    private const int Key = 0, Msqid = 1, Perms = 2, Cbytes = 3, Qnum = 4, Lspid = 5, Lrpid = 6,
        Uid = 7, Gid = 8, Cuid = 9, Cgid = 10, Stime = 11, Rtime = 12, Ctime = 13;

    private static readonly SysvTable Table = new("key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime");

    /// <summary>Null when the kernel has no System V IPC (/proc/sysvipc/msg missing).</summary>
    public static IReadOnlyList<MsgQueue>? Read(ProcRoot root) =>
        root.ReadText(RelativePath) is { } text ? Parse(text, RelativePath) : null;

    public static IReadOnlyList<MsgQueue> Parse(string text, string fileName) =>
        Table.Parse(text, fileName, static row => new MsgQueue
        {
            Key = row.Key(Key),
            Id = row.Int(Msqid),
            Mode = row.Mode(Perms),
            Cbytes = row.ULong(Cbytes),
            Qnum = row.ULong(Qnum),
            Lspid = row.Int(Lspid),
            Lrpid = row.Int(Lrpid),
            Uid = row.UInt(Uid),
            Gid = row.UInt(Gid),
            Cuid = row.UInt(Cuid),
            Cgid = row.UInt(Cgid),
            Stime = row.Time(Stime),
            Rtime = row.Time(Rtime),
            Ctime = row.Time(Ctime),
        });
}
