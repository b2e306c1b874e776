using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// Finds objects nobody alive uses, with their orphaned age from snapshot history: from the first
/// snapshot seen orphaned, in an unbroken run within one context (a reboot starts a new context and
/// so ends every run), to the last snapshot of the window. A run that is unbroken when the window
/// opens is traced back through the object's earlier states, so an object orphaned for a month
/// shows a month even in a 7-day report. Reported when the age reaches the threshold; ranked by
/// bytes × age (for semaphore arrays, nsems × age).
/// </summary>
public sealed class OrphanFinder
{
    private readonly WindowHistory _history;
    private readonly long _minimumAgeMs;
    private readonly Dictionary<long, SnapshotTimeline> _fullTimelines = [];
    private readonly List<Candidate> _found = [];

    private sealed record Candidate(OrphanFinding Finding, double Weight, bool PrivateSingleSemaphore);

    public OrphanFinder(WindowHistory history, TimeSpan minimumAge) =>
        (_history, _minimumAgeMs) = (history, (long)minimumAge.TotalMilliseconds);

    /// <summary>Judges the objects of one context; only the current boot's last context has objects that still exist.</summary>
    public void Observe(HistoryUnit unit, int contextIndex, IReadOnlyList<ObjectRecord> objects)
    {
        if (!unit.Current || contextIndex != unit.Contexts.Count - 1) return;
        var context = unit.Contexts[contextIndex];
        foreach (var o in objects)
        {
            if (!o.PresentAt(context.WindowEnd)) continue;
            var found = o.Kind switch
            {
                IpcKind.Shm => Find(ShmOrphanRule.Instance, unit, context, o),
                IpcKind.Sem => Find(SemOrphanRule.Instance, unit, context, o),
                _ => Find(MsgOrphanRule.Instance, unit, context, o),
            };
            if (found is not null) _found.Add(found);
        }
    }

    private Candidate? Find<T>(IOrphanRule<T> rule, HistoryUnit unit, ContextWindow context, ObjectRecord o) where T : struct, IObjectState
    {
        var timeline = context.Window;
        var (start, newest, open) = Walk(rule, context, timeline, o);
        if (open && o.FirstSeen < context.WindowStart)
        {
            // Orphaned (or unknown) all through the window: the run may have begun before it.
            timeline = FullTimeline(context);
            (start, newest, _) = Walk(rule, context, timeline, o);
        }
        if (start is not { } s) return null;
        var orphanedSince = timeline.Times[s];
        if (context.WindowEnd - orphanedSince < _minimumAgeMs) return null;
        var finding = rule.Describe(new OrphanCase<T>(unit, context, o, newest, orphanedSince));
        return new Candidate(finding, rule.Weight(newest), newest is SemState { Key: 0, Nsems: 1 });
    }

    /// <returns>The run's first snapshot, the newest state, and whether the walk went past the timeline's start unbroken.</returns>
    private (int? Start, T Newest, bool Open) Walk<T>(IOrphanRule<T> rule, ContextWindow context, SnapshotTimeline timeline, ObjectRecord o)
        where T : struct, IObjectState
    {
        var run = new OrphanRun(timeline, context.Processes);
        T newest = default;
        var first = true;
        foreach (var s in _history.NewestFirst(rule.Query, o.ObjectId, context.WindowEnd))
        {
            if (first) (newest, first) = (s, false);
            if (!run.Feed(s.From, s.To, rule.Evidence(o, s)) || run.PastFirstSnapshot) break;
        }
        return (run.Start, newest, !run.Ended);
    }

    private SnapshotTimeline FullTimeline(ContextWindow context)
    {
        if (!_fullTimelines.TryGetValue(context.ContextId, out var t))
            _fullTimelines[context.ContextId] = t = SnapshotTimeline.Concat(_history.TimelineBefore(context, context.WindowStart), context.Window);
        return t;
    }

    /// <summary>Every orphan at least the threshold old, worst (bytes × age) first.</summary>
    public IReadOnlyList<OrphanFinding> Findings()
    {
        var found = _found;
        // Many private one-semaphore arrays of one owner is a per-restart leak (Apache's accept lock after crashes).
        var leaks = found.Where(c => c.PrivateSingleSemaphore).GroupBy(c => (c.Finding.Host, c.Finding.Owner))
            .Where(g => g.Count() >= 3).ToDictionary(g => g.Key, g => g.Count());
        return found
            .Select(c => leaks.TryGetValue((c.Finding.Host, c.Finding.Owner), out var n) && c.PrivateSingleSemaphore
                ? c with { Finding = c.Finding with { Reason = $"{c.Finding.Reason}; one of {n} orphaned private one-semaphore arrays of uid {c.Finding.Owner}: a leak per restart (Apache accept-lock pattern)" } }
                : c)
            .OrderByDescending(c => c.Weight * c.Finding.AgeSeconds)
            .ThenByDescending(c => c.Finding.AgeSeconds)
            .ThenBy(c => c.Finding.Host, StringComparer.Ordinal)
            .ThenBy(c => c.Finding.Kind, StringComparer.Ordinal)
            .ThenBy(c => c.Finding.Id)
            .Select(c => c.Finding)
            .ToList();
    }
}
