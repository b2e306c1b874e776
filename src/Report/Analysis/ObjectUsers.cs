using IpcAudit.Collector.Attribution;
using IpcAudit.Report.History;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// A pid an object recorded, the time of the operation that recorded it (a later process under the
/// pid is a reuse, not the user), and its role: creator, last user, attacher, semaphore pid, sender, receiver.
/// </summary>
public readonly record struct PidUse(int Pid, long? OpTime, string Role = ObjectUsers.User);

/// <summary>
/// Which pids used an object in a given state, each with the time of the operation that recorded
/// it: the creator at creation (first ctime), the last shm user at its last attach/detach, a
/// semaphore's pid at the last semop or setval, a queue's sender and receiver at their last
/// send and receive, an attacher at the time it was seen attached.
/// </summary>
public static class ObjectUsers
{
    public const string User = "user", Creator = ObjectRoles.Creator, LastUser = ObjectRoles.LastUser, Attacher = ObjectRoles.Attacher,
        SemaphorePid = "last semop", Sender = ObjectRoles.Sender, Receiver = ObjectRoles.Receiver;

    public static PidUse ShmCreator(ObjectRecord o, in ShmState s) => new(s.Cpid, o.FirstCtime > 0 ? o.FirstCtime : s.Ctime, Creator);

    public static PidUse ShmLastUser(in ShmState s) => new(s.Lpid, Latest(s.Atime, s.Dtime) ?? s.Ctime, LastUser);

    public static PidUse MsgSender(in MsgState s) => new(s.Lspid, s.Stime ?? s.Ctime, Sender);

    public static PidUse MsgReceiver(in MsgState s) => new(s.Lrpid, s.Rtime ?? s.Ctime, Receiver);

    public static IEnumerable<PidUse> SemPids(in SemState s, int[] pids)
    {
        var op = Latest(s.Otime, s.Ctime);
        return pids.Select(p => new PidUse(p, op, SemaphorePid));
    }

    /// <summary>Everyone who used the object in this state (pids 0 left out).</summary>
    public static List<PidUse> All(ObjectRecord o, in ShmState s)
    {
        var from = s.From;
        List<PidUse> users = [ShmCreator(o, s), ShmLastUser(s), .. StoredLists.Pids(s.AttachedPids).Select(p => new PidUse(p, from, Attacher))];
        users.RemoveAll(u => u.Pid <= 0);
        return users;
    }

    public static List<PidUse> All(in SemState s)
    {
        if (s.Semaphores is null) return [];
        return SemPids(s, StoredLists.Semaphores(s.Semaphores).Pids).ToList();
    }

    public static List<PidUse> All(in MsgState s)
    {
        List<PidUse> users = [MsgSender(s), MsgReceiver(s)];
        users.RemoveAll(u => u.Pid <= 0);
        return users;
    }

    public static long? Latest(long? a, long? b) => a is { } x ? (b is { } y ? Math.Max(x, y) : x) : b;
}
