using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis.Verdicts;

/// <summary>
/// Finds the objects nobody uses at the end of the window and judges each: orphan (proved abandoned),
/// idle (unused for at least the threshold, holder not proved gone), or in use (not listed). Only the
/// current boot's last context holds objects that still exist. An object's whole history counts:
/// every pid its states ever recorded is a user, and a run of quiet snapshots ends at any sign of use.
/// Orphans are listed from the threshold on, worst (bytes × age; nsems × age for arrays) first.
/// </summary>
public sealed class VerdictFinder
{
    private readonly WindowHistory _history;
    private readonly long _minimumAgeMs;
    private readonly Dictionary<long, SnapshotTimeline> _fullTimelines = [];
    private readonly List<ObjectUse> _quiet = [];
    /// <summary>Every present private array per context, for the per-restart pattern: (id, owner, nsems, mode, ctime, last operation).</summary>
    private readonly Dictionary<long, List<(int Id, uint Uid, int Nsems, int Mode, long Ctime, long? LastOperation)>> _privateArrays = [];

    public VerdictFinder(WindowHistory history, TimeSpan minimumAge) =>
        (_history, _minimumAgeMs) = (history, (long)minimumAge.TotalMilliseconds);

    /// <summary>Only the current boot's last context holds objects that still exist: the only one judged.</summary>
    public static bool Judges(HistoryUnit unit, int contextIndex) => unit.Current && contextIndex == unit.Contexts.Count - 1;

    public void Observe(HistoryUnit unit, int contextIndex, IReadOnlyList<ObjectRecord> objects)
    {
        if (!Judges(unit, contextIndex)) return;
        var context = unit.Contexts[contextIndex];
        ReadAhead(ShmUseRule.Instance, context, objects);
        ReadAhead(SemUseRule.Instance, context, objects);
        ReadAhead(MsgUseRule.Instance, context, objects);
        _history.ReadRest(context.WindowEnd, () => Consider(unit, context, objects, probe: true));
        Consider(unit, context, objects, probe: false);
    }

    /// <summary>Judges every object present at the end; a probe (<see cref="WindowHistory.ReadRest"/>) only runs the rules, keeping nothing.</summary>
    private void Consider(HistoryUnit unit, ContextWindow context, IReadOnlyList<ObjectRecord> objects, bool probe)
    {
        foreach (var o in objects)
        {
            if (!o.PresentAt(context.WindowEnd)) continue;
            // Private one-semaphore arrays are judged whatever their age: the per-restart label counts them all.
            var array = o.Kind == IpcKind.Sem ? PrivateArray(context, o) : null;
            if (array is { } a && !probe) Note(context, o, a);
            var quietFor = QuietFor(array);
            var quiet = o.Kind switch
            {
                IpcKind.Shm => UseHistory.Quiet(ShmUseRule.Instance, _history, unit, context, o, quietFor),
                IpcKind.Sem => UseHistory.Quiet(SemUseRule.Instance, _history, unit, context, o, quietFor),
                _ => UseHistory.Quiet(MsgUseRule.Instance, _history, unit, context, o, quietFor),
            };
            if (quiet is not null && !probe) _quiet.Add(quiet);
        }
    }

    /// <summary>
    /// How long an object must have gone unused to be listed: the threshold, or no time at all for a private
    /// one-semaphore array (<paramref name="array"/>: its newest state), which the per-restart label counts whatever its age.
    /// </summary>
    private long QuietFor(SemState? array) => array is { Nsems: 1 } ? 0 : _minimumAgeMs;

    /// <summary>The objects of a kind not in use by their state at the end: the rule reads back through their history.</summary>
    private void ReadAhead<T>(IUseRule<T> rule, ContextWindow context, IReadOnlyList<ObjectRecord> objects) where T : struct, IObjectState =>
        _history.ReadAhead(rule.Query, [.. objects
            .Where(o => o.Kind == rule.Kind && o.PresentAt(context.WindowEnd))
            .Where(o => _history.NewestFirst(rule.Query, o.ObjectId, context.WindowEnd).Take(1)
                .All(s => !UseHistory.InUseByNewest(rule, s, context.WindowEnd, QuietFor(o.Kind == IpcKind.Sem ? PrivateArray(context, o) : null))))
            .Select(o => o.ObjectId)], context.WindowEnd);

    /// <summary>A private array's newest state; null when the array is not private (or its creation time is unknown).</summary>
    private SemState? PrivateArray(ContextWindow context, ObjectRecord o)
    {
        foreach (var s in _history.NewestFirst(StateQuery.Sem, o.ObjectId, context.WindowEnd))
            return s.Key != 0 || o.FirstCtime <= 0 ? null : s;
        return null;
    }

    /// <summary>Notes a private array for the per-restart pattern.</summary>
    private void Note(ContextWindow context, ObjectRecord o, SemState s)
    {
        if (!_privateArrays.TryGetValue(context.ContextId, out var list)) _privateArrays[context.ContextId] = list = [];
        list.Add((o.IpcId, s.Uid, s.Nsems, s.Mode & 0x1FF, o.FirstCtime, s.Otime));
    }

    /// <summary>
    /// An identical private array (owner, nsems, permission bits) created after this one was last used,
    /// and used itself after that: the program that used this one has moved on to it.
    /// </summary>
    private Successor? SuccessorOf(ObjectUse u)
    {
        if (u.Kind != IpcKind.Sem || !u.PrivateKey || !_privateArrays.TryGetValue(u.Context.ContextId, out var arrays)) return null;
        var lastUse = u.LastOperation ?? u.Ctime ?? long.MaxValue;
        foreach (var a in arrays.OrderByDescending(a => a.Ctime))
            if (a.Id != u.Object.IpcId && a.Uid == u.Uid && a.Nsems == u.Nsems && a.Mode == (u.Mode & 0x1FF)
                && a.Ctime > lastUse && a.LastOperation is { } op && op > lastUse)
                return new Successor(a.Id, a.Ctime, a.LastOperation);
        return null;
    }

    private SnapshotTimeline FullTimeline(ContextWindow context)
    {
        if (!_fullTimelines.TryGetValue(context.ContextId, out var t))
            _fullTimelines[context.ContextId] = t = SnapshotTimeline.Concat(_history.TimelineBefore(context, context.WindowStart), context.Window);
        return t;
    }

    /// <summary>Orphans at least the threshold old, worst first; and idle objects, longest unused first.</summary>
    public (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) Findings() => Findings([this]);

    /// <summary>
    /// The findings of finders that each observed some of the units (a report read on several connections):
    /// each judges its own objects, and the lists are ordered as one, by keys that never tie.
    /// </summary>
    public static (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) Findings(IReadOnlyList<VerdictFinder> finders)
    {
        var orphans = new List<(OrphanFinding Finding, double Weight, bool PrivateSingle)>();
        var idle = new List<OrphanFinding>();
        var minimumAgeMs = finders.Count == 0 ? 0 : finders[0]._minimumAgeMs;
        foreach (var finder in finders)
        foreach (var u in finder._quiet)
        {
            var judged = Judge.Of(u, finder.SuccessorOf(u), () => finder.FullTimeline(u.Context));
            if (judged.Outcome == Outcome.InUse) continue;
            var finding = Finding(u, judged);
            if (judged.Outcome == Outcome.Orphan) orphans.Add((finding, u.Weight, u.Kind == IpcKind.Sem && u.PrivateKey && u.Nsems == 1));
            else if (u.End - u.QuietSince >= minimumAgeMs) idle.Add(finding);
        }

        // Many private one-semaphore arrays of one owner is a per-restart leak (Apache's accept lock after
        // crashes): counted over every orphan, before the age threshold hides the young ones.
        var leaks = orphans.Where(c => c.PrivateSingle).GroupBy(c => (c.Finding.Host, c.Finding.Owner))
            .Where(g => g.Count() >= 3).ToDictionary(g => g.Key, g => g.Count());
        var listed = orphans
            .Where(c => c.Finding.AgeSeconds * 1000 >= minimumAgeMs)
            .Select(c => leaks.TryGetValue((c.Finding.Host, c.Finding.Owner), out var n) && c.PrivateSingle
                ? c with { Finding = c.Finding with { Reason = $"{c.Finding.Reason}; one of {n} orphaned private one-semaphore arrays of uid {c.Finding.Owner}: a leak per restart (Apache accept-lock pattern)" } }
                : c)
            .OrderByDescending(c => c.Weight * c.Finding.AgeSeconds)
            .ThenByDescending(c => c.Finding.AgeSeconds)
            .ThenBy(c => c.Finding.Host, StringComparer.Ordinal)
            .ThenBy(c => c.Finding.Kind, StringComparer.Ordinal)
            .ThenBy(c => c.Finding.Id)
            .Select(c => c.Finding)
            .ToList();
        var idleListed = idle
            .OrderByDescending(f => f.AgeSeconds)
            .ThenBy(f => f.Host, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Id)
            .ToList();
        return (listed, idleListed);
    }

    private static OrphanFinding Finding(ObjectUse u, Judgement j)
    {
        var orphan = j.Outcome == Outcome.Orphan;
        var since = orphan ? j.OrphanedSince!.Value : Math.Min(u.QuietSince, u.End);
        var evidence = orphan ? [.. j.Evidence, .. u.OrphanFacts] : j.Evidence;
        var reason = orphan
            ? $"{u.Description}; every process that used it is gone"
            : $"{u.Description}; idle: {j.Missing[0]}";
        var who = Attribution.ObjectAttribution.Of(u);
        if (who.Evidence is { } line) evidence = [.. evidence, line];
        return new OrphanFinding
        {
            Verdict = orphan ? Verdict.Orphan : Verdict.Idle,
            Host = u.Unit.Label, Kind = u.Kind, Id = u.Object.IpcId, Key = IpcMode.FormatKey(u.Key), Owner = u.Uid, Bytes = u.Bytes,
            FirstSeen = DateTimeOffset.FromUnixTimeMilliseconds(u.Object.FirstSeen),
            UnusedSince = DateTimeOffset.FromUnixTimeMilliseconds(u.UnusedSince),
            OrphanedSince = orphan ? DateTimeOffset.FromUnixTimeMilliseconds(since) : null,
            LastOperation = u.LastOperation is { } op ? DateTimeOffset.FromUnixTimeMilliseconds(op) : null,
            AgeSeconds = (u.End - since) / 1000,
            CreatorPid = j.Creator?.Pid, CreatorAlive = j.CreatorAlive, CreatorCommand = j.CreatorCommand,
            Reason = reason,
            Evidence = evidence,
            Missing = j.Missing,
            SuggestedCommand = orphan ? $"ipcrm {u.IpcrmFlag} {u.Object.IpcId.ToString(CultureInfo.InvariantCulture)}" : null,
            OwnerName = who.OwnerName, Application = who.Application, Processes = who.Processes,
        };
    }
}
