using IpcAudit.Collector.Model;
using IpcAudit.Report.History;

namespace IpcAudit.Report.Analysis.Verdicts;

/// <summary>
/// What an object's history says about its use, for an object that is quiet now: its newest state,
/// since when nothing used it, and every pid its states ever recorded.
/// </summary>
public sealed record ObjectUse
{
    public required HistoryUnit Unit { get; init; }
    public required ContextWindow Context { get; init; }
    public required ObjectRecord Object { get; init; }
    public required string Kind { get; init; }
    public required string IpcrmFlag { get; init; }
    public required uint Key { get; init; }
    public required int Mode { get; init; }
    public required uint Uid { get; init; }
    public required uint Cuid { get; init; }
    /// <summary>Creation time (ctime at first sight); null when the kernel gave none.</summary>
    public long? Ctime { get; init; }
    /// <summary>nsems for arrays; 0 otherwise.</summary>
    public int Nsems { get; init; }
    public long? LastOperation { get; init; }
    /// <summary>The first snapshot after its last sign of use, or its first snapshot.</summary>
    public required long UnusedSince { get; init; }
    /// <summary>Age runs from the later of the quiet run's first snapshot and the last kernel operation.</summary>
    public long QuietSince => Math.Max(UnusedSince, LastOperation ?? long.MinValue);
    /// <summary>Every pid its states recorded, newest state first.</summary>
    public required IReadOnlyList<PidUse> Users { get; init; }
    public required ulong Bytes { get; init; }
    public required double Weight { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<string> OrphanFacts { get; init; }
    public required bool Unreadable { get; init; }

    public long End => Context.WindowEnd;
    public IpcLimits LimitsAtEnd => Context.Window.Limits[^1];
    public bool PrivateKey => Key == 0;
}

/// <summary>Reads one object's states newest first and tells whether it is quiet now, and since when.</summary>
public static class UseHistory
{
    /// <summary>
    /// Whether the newest state alone shows the object in use: it is used now, or its last operation falls within
    /// <paramref name="quietFor"/> of the end. <see cref="Quiet"/> ends there without reading older states: none
    /// could make the quiet time longer than the time since that operation. On a busy host nearly every array
    /// and queue is decided so.
    /// </summary>
    public static bool InUseByNewest<T>(IUseRule<T> rule, in T newest, long end, long quietFor) where T : struct, IObjectState =>
        rule.InUseNow(newest) is not null || rule.LastOperation(newest) is { } op && end - op < quietFor;

    /// <summary>
    /// Null when the object is in use: its newest state shows it, or a sign of use falls within
    /// <paramref name="quietFor"/> of the end. Otherwise every state back to its first is read for its users.
    /// </summary>
    public static ObjectUse? Quiet<T>(IUseRule<T> rule, WindowHistory history, HistoryUnit unit, ContextWindow context,
        ObjectRecord o, long quietFor) where T : struct, IObjectState
    {
        var end = context.WindowEnd;
        var users = new List<PidUse>();
        T newest = default, newer = default;
        var first = true;
        var quietRun = true;
        long unusedSince = o.FirstSeen;
        long? lastOperation = null;
        foreach (var s in history.NewestFirst(rule.Query, o.ObjectId, end))
        {
            if (first)
            {
                if (InUseByNewest(rule, s, end, quietFor)) return null;
                (newest, first, lastOperation) = (s, false, rule.LastOperation(s));
            }
            else if (quietRun && rule.UsedBetween(s, newer))
            {
                // The run of unchanged use ends here: it was used between this state and the newer one.
                quietRun = false;
                unusedSince = newer.From;
                if (end - Math.Max(unusedSince, lastOperation ?? long.MinValue) < quietFor) return null;
            }
            if (quietRun) unusedSince = s.From;
            rule.AddUsers(o, s, users);
            newer = s;
        }
        if (first || end - Math.Max(unusedSince, lastOperation ?? long.MinValue) < quietFor) return null;

        return new ObjectUse
        {
            Unit = unit, Context = context, Object = o, Kind = rule.Kind, IpcrmFlag = rule.IpcrmFlag,
            Key = newest.Key, Mode = newest.Mode,
            Uid = newest.Uid, Cuid = newest.Cuid,
            Ctime = o.FirstCtime > 0 ? o.FirstCtime : null,
            Nsems = newest is SemState sem ? sem.Nsems : 0,
            LastOperation = lastOperation, UnusedSince = unusedSince, Users = users,
            Bytes = rule.Bytes(newest), Weight = rule.Weight(newest),
            Description = rule.Describe(newest, context.Window.Limits[^1]),
            OrphanFacts = rule.OrphanFacts(newest, context.Window.Limits[^1]).ToList(),
            Unreadable = rule.Unreadable(newest),
        };
    }
}
