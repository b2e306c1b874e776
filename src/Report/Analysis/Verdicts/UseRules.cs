using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis.Verdicts;

/// <summary>What one kind of object's states say about its use (README "Orphans, idle objects and evidence").</summary>
public interface IUseRule<T> where T : struct, IObjectState
{
    string Kind { get; }
    /// <summary>The ipcrm flag that removes this kind: -m, -s, -q.</summary>
    string IpcrmFlag { get; }
    StateQuery<T> Query { get; }
    /// <summary>Why the state alone shows it in use now (attached, marked for destruction, a waiter); null when it does not.</summary>
    string? InUseNow(in T s);
    /// <summary>A sign of use between two consecutive states: an operation the kernel recorded.</summary>
    bool UsedBetween(in T older, in T newer);
    /// <summary>The latest operation time the state shows (attach/detach, semop, send/receive); null when none.</summary>
    long? LastOperation(in T s);
    /// <summary>Every pid the state records (pid 0 left out), with its role and the time of the operation that recorded it.</summary>
    void AddUsers(ObjectRecord o, in T s, List<PidUse> into);
    /// <summary>Memory it pins: shm size, queued bytes; 0 for an array.</summary>
    ulong Bytes(in T s);
    /// <summary>What "bytes × age" ranks by: an array has no bytes, so each semaphore counts as one.</summary>
    double Weight(in T s);
    /// <summary>What it holds, in a few words: "segment of 65536 bytes, no attachments".</summary>
    string Describe(in T s, IpcLimits limits);
    /// <summary>Facts of this kind that an orphan verdict adds (what the kernel would do about it).</summary>
    IEnumerable<string> OrphanFacts(in T s, IpcLimits limits);
    /// <summary>The values the verdict needs could not be read (semaphores without read permission).</summary>
    bool Unreadable(in T s);
}

public sealed class ShmUseRule : IUseRule<ShmState>
{
    public static readonly ShmUseRule Instance = new();
    public string Kind => IpcKind.Shm;
    public string IpcrmFlag => "-m";
    public StateQuery<ShmState> Query => StateQuery.Shm;

    public string? InUseNow(in ShmState s) =>
        s.Nattch > 0 ? $"attached by {s.Nattch} process(es)"
        : IpcMode.IsDest(s.Mode) ? "marked for destruction: the kernel removes it when the last process detaches" : null;

    public bool UsedBetween(in ShmState older, in ShmState newer) =>
        older.Atime != newer.Atime || older.Dtime != newer.Dtime || older.Lpid != newer.Lpid || older.Nattch != newer.Nattch
        || older.AttachedPids != newer.AttachedPids;

    public long? LastOperation(in ShmState s) => ObjectUsers.Latest(s.Atime, s.Dtime);

    public void AddUsers(ObjectRecord o, in ShmState s, List<PidUse> into) => into.AddRange(ObjectUsers.All(o, s));

    public ulong Bytes(in ShmState s) => s.Bytes;
    public double Weight(in ShmState s) => s.Bytes;
    public bool Unreadable(in ShmState s) => false;

    public string Describe(in ShmState s, IpcLimits limits) =>
        $"segment of {s.Bytes.ToString(CultureInfo.InvariantCulture)} bytes, no attachments, not marked for destruction";

    // ipc/shm.c shm_destroy_orphaned(): writing 1 to shm_rmid_forced destroys, in the writer's IPC
    // namespace, every segment with no attachments whose creating task has exited.
    public IEnumerable<string> OrphanFacts(in ShmState s, IpcLimits limits) =>
    [
        limits.ShmRmidForced == 1
            ? "kernel.shm_rmid_forced is 1 in this IPC namespace, yet the segment exists: it was probably set after the creator exited (only setting it, or a later detach, destroys such segments)"
            : "setting kernel.shm_rmid_forced=1 in this IPC namespace would destroy it at once, with every other unattached segment whose creator has exited",
    ];
}

public sealed class SemUseRule : IUseRule<SemState>
{
    public static readonly SemUseRule Instance = new();
    public string Kind => IpcKind.Sem;
    public string IpcrmFlag => "-s";
    public StateQuery<SemState> Query => StateQuery.Sem;

    public string? InUseNow(in SemState s) =>
        s.Semaphores is { } json && StoredLists.Semaphores(json).Waiters ? "a process waits on one of its semaphores" : null;

    /// <summary>semop sets otime; every semop or SETVAL/SETALL changes a value or a semaphore's pid. Unreadable values prove nothing either way.</summary>
    public bool UsedBetween(in SemState older, in SemState newer) =>
        older.Otime != newer.Otime || (older.Semaphores is { } a && newer.Semaphores is { } b && a != b);

    public long? LastOperation(in SemState s) => s.Otime;

    public void AddUsers(ObjectRecord o, in SemState s, List<PidUse> into) => into.AddRange(ObjectUsers.All(s));

    public ulong Bytes(in SemState s) => 0;
    public double Weight(in SemState s) => s.Nsems;
    public bool Unreadable(in SemState s) => s.Semaphores is null;

    public string Describe(in SemState s, IpcLimits limits) =>
        (s.Nsems == 1 ? "1 semaphore" : $"{s.Nsems.ToString(CultureInfo.InvariantCulture)} semaphores")
        + (s.Semaphores is null ? ", values unreadable" : ", no waiters");

    public IEnumerable<string> OrphanFacts(in SemState s, IpcLimits limits) => [];
}

public sealed class MsgUseRule : IUseRule<MsgState>
{
    public static readonly MsgUseRule Instance = new();
    public string Kind => IpcKind.Msg;
    public string IpcrmFlag => "-q";
    public StateQuery<MsgState> Query => StateQuery.Msg;

    /// <summary>/proc shows no blocked senders or receivers: only operations between snapshots show use.</summary>
    public string? InUseNow(in MsgState s) => null;

    public bool UsedBetween(in MsgState older, in MsgState newer) =>
        older.Stime != newer.Stime || older.Rtime != newer.Rtime || older.Lspid != newer.Lspid || older.Lrpid != newer.Lrpid
        || older.Qnum != newer.Qnum || older.Cbytes != newer.Cbytes;

    public long? LastOperation(in MsgState s) => ObjectUsers.Latest(s.Stime, s.Rtime);

    public void AddUsers(ObjectRecord o, in MsgState s, List<PidUse> into) => into.AddRange(ObjectUsers.All(s));

    public ulong Bytes(in MsgState s) => s.Cbytes;
    public double Weight(in MsgState s) => s.Cbytes;
    public bool Unreadable(in MsgState s) => false;

    public string Describe(in MsgState s, IpcLimits limits)
    {
        if (s.Qnum == 0) return "empty queue (it still holds one of MSGMNI's slots)";
        var capacity = s.Qbytes ?? limits.Msgmnb;
        var fill = capacity is > 0 ? $", {(double)s.Cbytes / capacity.Value * 100:0.#}% of its {capacity} byte capacity" : "";
        var noun = s.Qnum == 1 ? "message" : "messages";
        return $"{s.Qnum} {noun} ({s.Cbytes} bytes{fill}) queued";
    }

    public IEnumerable<string> OrphanFacts(in MsgState s, IpcLimits limits) => [];
}
