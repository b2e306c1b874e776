using IpcAudit.Report.History;

namespace IpcAudit.Report.Analysis;

public enum OrphanVerdict
{
    /// <summary>The state alone rules it out: attached, marked for destruction, a waiter, an empty queue.</summary>
    NotOrphan,
    /// <summary>The state cannot tell (semaphore values unreadable): breaks no run, starts none.</summary>
    Unknown,
    /// <summary>An orphan exactly when none of <see cref="OrphanEvidence.Users"/> is alive.</summary>
    OrphanIfUsersDead,
}

public readonly record struct OrphanEvidence(OrphanVerdict Verdict, IReadOnlyList<PidUse> Users)
{
    public static readonly OrphanEvidence NotOrphan = new(OrphanVerdict.NotOrphan, []);
    public static readonly OrphanEvidence Unknown = new(OrphanVerdict.Unknown, []);
}

/// <summary>
/// Walks one object's history backwards from the last snapshot of a timeline, to find where its
/// current orphaned run began. A snapshot where it is not orphaned ends the walk; a snapshot whose
/// 'processes' step failed (liveness unknown) ends nothing but cannot start the run either.
/// Status changes only where the state changes or a user pid's live span starts or ends, so each
/// state is judged once per such piece rather than once per snapshot, and an object in use is
/// decided by its newest state alone.
/// </summary>
public sealed class OrphanRun(SnapshotTimeline timeline, ProcessSpans processes)
{
    private readonly List<long> _cuts = [];
    private int _position = timeline.Count - 1;

    /// <summary>Index (in the timeline) of the first snapshot of the run found so far; null when none.</summary>
    public int? Start { get; private set; }
    /// <summary>A snapshot that was definitely not orphaned was reached: no earlier state matters.</summary>
    public bool Ended { get; private set; }
    /// <summary>The walk has passed the first snapshot of the timeline: older states cannot change the result here.</summary>
    public bool PastFirstSnapshot => _position < 0;

    /// <summary>Feeds the state valid over [from, to), newest first; false once the walk has ended.</summary>
    public bool Feed(long from, long to, OrphanEvidence evidence)
    {
        if (Ended) return false;
        var (first, last) = timeline.Within(from, to);
        last = Math.Min(last, _position);
        if (first > last) return true;
        switch (evidence.Verdict)
        {
            case OrphanVerdict.NotOrphan:
                Ended = true;
                return false;
            case OrphanVerdict.Unknown:
                _position = first - 1;
                return true;
        }
        _cuts.Clear();
        _cuts.Add(from);
        foreach (var u in evidence.Users) processes.AddBoundaries(u.Pid, from, to, _cuts);
        _cuts.Sort();
        _cuts.Add(to);
        for (var k = _cuts.Count - 2; k >= 0; k--)
        {
            var (f, l) = timeline.Within(_cuts[k], _cuts[k + 1]);
            l = Math.Min(l, last);
            if (f > l) continue;
            var known = timeline.FirstProcessesOk(f, l);
            if (known < 0) continue;
            var someoneAlive = false;
            foreach (var u in evidence.Users)
                if (processes.AliveAt(u.Pid, _cuts[k], u.OpTime)) { someoneAlive = true; break; }
            if (someoneAlive)
            {
                Ended = true;
                return false;
            }
            Start = known;
        }
        _position = first - 1;
        return true;
    }
}
