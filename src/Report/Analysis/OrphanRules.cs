using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>What the finder needs to describe an orphan at the end of its run.</summary>
public sealed record OrphanCase<T>(HistoryUnit Unit, ContextWindow Context, ObjectRecord Object, T Last, long OrphanedSince)
    where T : struct, IObjectState
{
    public long End => Context.WindowEnd;
    public bool LivenessKnownAtEnd => Context.Window.ProcessesOk[^1];
    public IpcLimits LimitsAtEnd => Context.Window.Limits[^1];

    public bool? AliveAtEnd(PidUse u) => u.Pid <= 0 ? false : LivenessKnownAtEnd ? Context.Processes.AliveAt(u.Pid, End, u.OpTime) : null;

    /// <summary>"gone", or "gone (pid now reused)" when a later process holds the pid.</summary>
    public string Fate(PidUse u) => AliveAtEnd(u) switch
    {
        true => "alive",
        null => "of unknown liveness",
        false when Context.Processes.PidInUseAt(u.Pid, End) => "gone (pid now reused by a later process)",
        _ => "gone",
    };

    public string? CommandOf(PidUse u) => u.Pid > 0 ? Context.Processes.Identify(u.Pid, u.OpTime)?.Command : null;
}

/// <summary>The orphan rule of one kind (DESIGN.md "Orphans, growth and pressure").</summary>
public interface IOrphanRule<T> where T : struct, IObjectState
{
    string Kind { get; }
    StateQuery<T> Query { get; }
    OrphanEvidence Evidence(ObjectRecord o, in T s);
    /// <summary>What "bytes × age" ranks by.</summary>
    double Weight(in T s);
    OrphanFinding Describe(OrphanCase<T> c);
}

internal static class OrphanText
{
    public static string Time(long? ms) => ms is { } t ? TypedJson.IsoTime(DateTimeOffset.FromUnixTimeMilliseconds(t)) : "never";

    public static OrphanFinding Finding<T>(OrphanCase<T> c, string kind, ulong bytes, PidUse? creator, string reason, string ipcrmFlag)
        where T : struct, IObjectState => new()
    {
        Host = c.Unit.Label, Kind = kind, Id = c.Object.IpcId, Key = IpcMode.FormatKey(c.Last.Key), Owner = c.Last.Uid, Bytes = bytes,
        FirstSeen = DateTimeOffset.FromUnixTimeMilliseconds(c.Object.FirstSeen),
        OrphanedSince = DateTimeOffset.FromUnixTimeMilliseconds(c.OrphanedSince),
        AgeSeconds = (c.End - c.OrphanedSince) / 1000,
        CreatorPid = creator?.Pid, CreatorAlive = creator is { } p ? c.AliveAtEnd(p) : null,
        CreatorCommand = creator is { } q ? c.CommandOf(q) : null,
        Reason = reason,
        SuggestedCommand = $"ipcrm {ipcrmFlag} {c.Object.IpcId.ToString(CultureInfo.InvariantCulture)}",
    };
}

/// <summary>
/// A segment with no attachments, not marked for destruction, whose creator (cpid) and last user
/// (lpid) are both dead — a reused pid is not alive.
/// </summary>
public sealed class ShmOrphanRule : IOrphanRule<ShmState>
{
    public static readonly ShmOrphanRule Instance = new();
    public string Kind => IpcKind.Shm;
    public StateQuery<ShmState> Query => StateQuery.Shm;

    public OrphanEvidence Evidence(ObjectRecord o, in ShmState s)
    {
        if (s.Nattch > 0 || IpcMode.IsDest(s.Mode)) return OrphanEvidence.NotOrphan;
        List<PidUse> users = [ObjectUsers.ShmCreator(o, s)];
        if (s.Lpid > 0) users.Add(ObjectUsers.ShmLastUser(s));
        users.RemoveAll(u => u.Pid <= 0);
        return new(OrphanVerdict.OrphanIfUsersDead, users);
    }

    public double Weight(in ShmState s) => s.Bytes;

    public OrphanFinding Describe(OrphanCase<ShmState> c)
    {
        var s = c.Last;
        var creator = ObjectUsers.ShmCreator(c.Object, s);
        var lastUser = ObjectUsers.ShmLastUser(s);
        var who = s.Lpid <= 0 ? $"creator {s.Cpid} {c.Fate(creator)}; never attached"
            : s.Lpid == s.Cpid ? $"creator and last user {s.Cpid} {c.Fate(creator)}"
            : $"creator {s.Cpid} {c.Fate(creator)}, last user {s.Lpid} {c.Fate(lastUser)}";
        var lastOp = ObjectUsers.Latest(s.Atime, s.Dtime) is { } op ? $"; last attach/detach {OrphanText.Time(op)}" : "";
        // With shm_rmid_forced=1 the kernel destroys a segment when its last attachment goes (or its creator exits unattached).
        var rmid = c.LimitsAtEnd.ShmRmidForced == 1
            ? "kernel.shm_rmid_forced=1 is set now but did not remove it (set after the segment was orphaned?)"
            : "kernel.shm_rmid_forced=1 would have destroyed it";
        return OrphanText.Finding(c, Kind, s.Bytes, creator, $"no attachments; {who}{lastOp}; {rmid}", "-m");
    }
}

/// <summary>
/// A semaphore array nobody waits on (every ncount and zcount 0) whose semaphores were last operated
/// on by dead pids (or never: pid 0). Unreadable values make no verdict.
/// </summary>
public sealed class SemOrphanRule : IOrphanRule<SemState>
{
    public static readonly SemOrphanRule Instance = new();
    public string Kind => IpcKind.Sem;
    public StateQuery<SemState> Query => StateQuery.Sem;

    public OrphanEvidence Evidence(ObjectRecord o, in SemState s)
    {
        if (s.Semaphores is null) return OrphanEvidence.Unknown;
        var (waiters, pids) = StoredLists.Semaphores(s.Semaphores);
        return waiters ? OrphanEvidence.NotOrphan : new(OrphanVerdict.OrphanIfUsersDead, ObjectUsers.SemPids(s, pids).ToList());
    }

    /// <summary>An array has no bytes to rank by: each semaphore counts as one, so arrays rank below any segment or backlog of like age.</summary>
    public double Weight(in SemState s) => s.Nsems;

    public OrphanFinding Describe(OrphanCase<SemState> c)
    {
        var s = c.Last;
        var users = ObjectUsers.SemPids(s, StoredLists.Semaphores(s.Semaphores!).Pids).ToList();
        const int shown = 5;
        var more = users.Count > shown ? $" and {users.Count - shown} more" : "";
        var pids = users.Count == 0
            ? "never operated on (every semaphore's pid is 0)"
            : $"last semop by {string.Join(", ", users.Take(shown).Select(u => $"{u.Pid} {c.Fate(u)}"))}{more}; last semop {OrphanText.Time(s.Otime)}";
        var noun = s.Nsems == 1 ? "semaphore" : "semaphores";
        PidUse? last = users.Count > 0 ? users[0] : null;
        return OrphanText.Finding(c, Kind, 0, last, $"{s.Nsems} {noun}, no waiters; {pids}", "-s");
    }
}

/// <summary>A queue holding messages (qnum &gt; 0) that no live process reads: the last receiver is dead, or nothing was ever received.</summary>
public sealed class MsgOrphanRule : IOrphanRule<MsgState>
{
    public static readonly MsgOrphanRule Instance = new();
    public string Kind => IpcKind.Msg;
    public StateQuery<MsgState> Query => StateQuery.Msg;

    public OrphanEvidence Evidence(ObjectRecord o, in MsgState s)
    {
        if (s.Qnum == 0) return OrphanEvidence.NotOrphan;
        return new(OrphanVerdict.OrphanIfUsersDead, s.Lrpid > 0 ? [ObjectUsers.MsgReceiver(s)] : []);
    }

    public double Weight(in MsgState s) => s.Cbytes;

    public OrphanFinding Describe(OrphanCase<MsgState> c)
    {
        var s = c.Last;
        var receiver = ObjectUsers.MsgReceiver(s);
        var sender = ObjectUsers.MsgSender(s);
        var capacity = s.Qbytes ?? c.LimitsAtEnd.Msgmnb;
        var fill = capacity is > 0 ? $", {(double)s.Cbytes / capacity.Value * 100:0.#}% of its {capacity} byte capacity" : "";
        var reader = s.Lrpid > 0 ? $"last receiver {s.Lrpid} {c.Fate(receiver)}; last receive {OrphanText.Time(s.Rtime)}" : "nothing ever received";
        var writer = s.Lspid > 0 ? $"; last sender {s.Lspid} {c.Fate(sender)}" : "";
        var noun = s.Qnum == 1 ? "message" : "messages";
        // The kernel keeps no creator; the sender is who filled it.
        PidUse? creator = s.Lspid > 0 ? sender : s.Lrpid > 0 ? receiver : null;
        return OrphanText.Finding(c, Kind, s.Cbytes, creator, $"{s.Qnum} {noun} ({s.Cbytes} bytes{fill}) queued, no live reader: {reader}{writer}", "-q");
    }
}
