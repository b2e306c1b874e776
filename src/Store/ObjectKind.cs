using IpcAudit.Collector.Model;

namespace IpcAudit.Store;

/// <summary>
/// What the writer needs to know about one kind of IPC object: its identity facts, its state
/// fingerprint and its state columns. One instance per kind; the sync logic is shared.
/// </summary>
internal abstract class ObjectKind<T>
{
    public abstract string Name { get; }
    public abstract string InsertStateSql { get; }
    public abstract int Id(T o);
    public abstract uint Key(T o);
    public abstract DateTimeOffset? Ctime(T o);
    /// <summary>Fixed for the object's life; a different value under the same id is a new object.</summary>
    public abstract long? CreatorPid(T o);
    public abstract long? Shape(T o);
    public abstract long Fingerprint(T o);
    /// <summary>False for shm only: the kernel sets a segment's key to 0 when it is marked for removal.</summary>
    public virtual bool KeyIsFixed => true;
    /// <summary>The latest kernel operation time (semop, msgsnd/msgrcv); null when none, or for shm (not used for identity).</summary>
    public abstract DateTimeOffset? LastOperation(T o);
    /// <summary>Values for InsertStateSql after ($object, $from, $fp).</summary>
    public abstract object?[] StateValues(T o);
    /// <summary>The owner's uid (IPC_SET can change it).</summary>
    public abstract uint Uid(T o);
}

internal sealed class ShmKind : ObjectKind<ShmSegment>
{
    public static readonly ShmKind Instance = new();
    public override string Name => "shm";
    public override string InsertStateSql => StoreSql.InsertShmState;
    public override int Id(ShmSegment o) => o.Id;
    public override uint Uid(ShmSegment o) => o.Uid;
    public override uint Key(ShmSegment o) => o.Key;
    public override DateTimeOffset? Ctime(ShmSegment o) => o.Ctime;
    public override long? CreatorPid(ShmSegment o) => o.Cpid;
    public override long? Shape(ShmSegment o) => checked((long)o.Bytes);
    public override bool KeyIsFixed => false;
    public override DateTimeOffset? LastOperation(ShmSegment o) => null;

    public override long Fingerprint(ShmSegment o)
    {
        var f = StateFingerprint.Start().Add(o.Key).Add(o.Mode).Add(o.Uid).Add(o.Gid).Add(o.Cuid).Add(o.Cgid)
            .Add((long)o.Bytes).Add(o.Nattch).Add(o.Cpid).Add(o.Lpid)
            .Add(UnixTime.Ms(o.Atime)).Add(UnixTime.Ms(o.Dtime)).Add(UnixTime.Ms(o.Ctime))
            .Add((long?)o.RssBytes).Add((long?)o.SwapBytes).Add(o.AttachedPids is null ? -1 : o.AttachedPids.Count);
        if (o.AttachedPids is { } pids) foreach (var p in pids) f = f.Add(p);
        return f.Value;
    }

    public override object?[] StateValues(ShmSegment o) =>
    [
        o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Bytes, o.Nattch, o.Cpid, o.Lpid,
        UnixTime.Ms(o.Atime), UnixTime.Ms(o.Dtime), UnixTime.Ms(o.Ctime), o.RssBytes, o.SwapBytes,
        CompactJson.Pids(o.AttachedPids),
    ];
}

internal sealed class SemKind : ObjectKind<SemArray>
{
    public static readonly SemKind Instance = new();
    public override string Name => "sem";
    public override string InsertStateSql => StoreSql.InsertSemState;
    public override int Id(SemArray o) => o.Id;
    public override uint Uid(SemArray o) => o.Uid;
    public override uint Key(SemArray o) => o.Key;
    public override DateTimeOffset? Ctime(SemArray o) => o.Ctime;
    public override long? CreatorPid(SemArray o) => null;
    public override long? Shape(SemArray o) => o.Nsems;
    public override DateTimeOffset? LastOperation(SemArray o) => o.Otime;

    public override long Fingerprint(SemArray o)
    {
        var f = StateFingerprint.Start().Add(o.Key).Add(o.Mode).Add(o.Uid).Add(o.Gid).Add(o.Cuid).Add(o.Cgid)
            .Add(o.Nsems).Add(UnixTime.Ms(o.Otime)).Add(UnixTime.Ms(o.Ctime)).Add(o.Vanished ? 1 : 0)
            .Add(o.Semaphores is null ? -1 : o.Semaphores.Count);
        if (o.Semaphores is { } sems)
            foreach (var s in sems) f = f.Add(s.Value).Add(s.Ncount).Add(s.Zcount).Add(s.Pid);
        return f.Value;
    }

    public override object?[] StateValues(SemArray o) =>
    [
        o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Nsems, UnixTime.Ms(o.Otime), UnixTime.Ms(o.Ctime),
        CompactJson.Semaphores(o.Semaphores), o.Vanished,
    ];
}

internal sealed class MsgKind : ObjectKind<MsgQueue>
{
    public static readonly MsgKind Instance = new();
    public override string Name => "msg";
    public override string InsertStateSql => StoreSql.InsertMsgState;
    public override int Id(MsgQueue o) => o.Id;
    public override uint Uid(MsgQueue o) => o.Uid;
    public override uint Key(MsgQueue o) => o.Key;
    public override DateTimeOffset? Ctime(MsgQueue o) => o.Ctime;
    public override long? CreatorPid(MsgQueue o) => null;
    public override long? Shape(MsgQueue o) => null;
    public override DateTimeOffset? LastOperation(MsgQueue o) => o.Stime ?? o.Rtime;

    public override long Fingerprint(MsgQueue o) =>
        StateFingerprint.Start().Add(o.Key).Add(o.Mode).Add(o.Uid).Add(o.Gid).Add(o.Cuid).Add(o.Cgid)
            .Add((long)o.Cbytes).Add((long)o.Qnum).Add((long?)o.Qbytes).Add(o.Lspid).Add(o.Lrpid)
            .Add(UnixTime.Ms(o.Stime)).Add(UnixTime.Ms(o.Rtime)).Add(UnixTime.Ms(o.Ctime)).Add(o.Vanished ? 1 : 0).Value;

    public override object?[] StateValues(MsgQueue o) =>
    [
        o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Cbytes, o.Qnum, o.Qbytes, o.Lspid, o.Lrpid,
        UnixTime.Ms(o.Stime), UnixTime.Ms(o.Rtime), UnixTime.Ms(o.Ctime), o.Vanished,
    ];
}
