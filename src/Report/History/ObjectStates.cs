namespace IpcAudit.Report.History;

/// <summary>
/// One object's identity row. Times are unix ms UTC; FirstCtime is 0 when the kernel gave none;
/// Shape is fixed for life (shm size, sem nsems; null for msg).
/// </summary>
public readonly record struct ObjectRecord(long ObjectId, string Kind, int IpcId, long FirstCtime, long? Shape, long FirstSeen, long? RemovedAt)
{
    /// <summary>The uid of its first state (schema 9); null when not known.</summary>
    public uint? OwnerUid { get; init; }
    /// <summary>When a state's owner last differed from the one before (IPC_SET); null when it never did.</summary>
    public long? OwnerChangedAt { get; init; }

    /// <summary>Present from its first snapshot until the first without it (its states cover exactly that span).</summary>
    public bool PresentAt(long at) => FirstSeen <= at && (RemovedAt is not { } r || r > at);
    public long End => RemovedAt ?? long.MaxValue;
}

/// <summary>Times are unix ms UTC; <c>To</c> is <see cref="long.MaxValue"/> while the state is current.</summary>
public interface IObjectState
{
    long From { get; }
    long To { get; }
    uint Key { get; }
    int Mode { get; }
    uint Uid { get; }
    /// <summary>The creator's uid (IPC_SET changes uid, never cuid).</summary>
    uint Cuid { get; }
}

public readonly record struct ShmState(
    long From, long To, uint Key, int Mode, uint Uid, uint Cuid, ulong Bytes, long Nattch, int Cpid, int Lpid,
    long? Atime, long? Dtime, long? Ctime, string? AttachedPids) : IObjectState;

/// <summary>Semaphores is the stored JSON [[value, ncount, zcount, pid], ...]; parsed only where a rule needs it.</summary>
public readonly record struct SemState(
    long From, long To, uint Key, int Mode, uint Uid, uint Cuid, int Nsems, long? Otime, long? Ctime, string? Semaphores) : IObjectState;

public readonly record struct MsgState(
    long From, long To, uint Key, int Mode, uint Uid, uint Cuid, ulong Cbytes, ulong Qnum, ulong? Qbytes, int Lspid, int Lrpid,
    long? Stime, long? Rtime, long? Ctime) : IObjectState;

/// <summary>
/// One owner's message queues at one snapshot (schema 10's msg_totals): how many, their bytes, and the
/// fullest of them (its bytes, messages and capacity; capacity 0 when unknown).
/// </summary>
public readonly record struct QueueTotals(long At, uint Uid, long Queues, ulong Cbytes, ulong FullestCbytes, ulong FullestQnum, ulong FullestCapacity)
{
    /// <summary>
    /// What the kernel holds against qbytes in the fullest queue: msgsnd waits unless both cbytes + size and
    /// qnum + 1 stay within it (msg_fits_inqueue in ipc/msg.c), so a queue of many tiny messages is full by count.
    /// </summary>
    public ulong FullestCharged => Math.Max(FullestCbytes, FullestQnum);
}

/// <summary>Who owned an object over the window: one span for nearly every object, more when IPC_SET changed its uid.</summary>
public readonly record struct OwnerSpan(long From, long To, uint Uid);
