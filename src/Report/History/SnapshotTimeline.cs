using IpcAudit.Collector.Model;

namespace IpcAudit.Report.History;

/// <summary>
/// One context's snapshots in time order: when each was taken, the limits in force, and whether its
/// 'processes' step succeeded (when it did not, nobody's liveness is known at that snapshot), and
/// whether it also recorded the holders (schema 2 on: per owner uid, its oldest live process).
/// </summary>
public sealed class SnapshotTimeline
{
    private readonly int[] _nextProcessesOk;

    public long[] Times { get; }
    public bool[] ProcessesOk { get; }
    public IpcLimits[] Limits { get; }
    /// <summary>The snapshot's process scan also recorded, for each owner and creator uid, its oldest live process.</summary>
    public bool[] HoldersKnown { get; }
    public int Count => Times.Length;

    public SnapshotTimeline(long[] times, bool[] processesOk, IpcLimits[] limits, bool[]? holdersKnown = null)
    {
        (Times, ProcessesOk, Limits) = (times, processesOk, limits);
        HoldersKnown = holdersKnown ?? new bool[times.Length];
        _nextProcessesOk = new int[times.Length + 1];
        _nextProcessesOk[times.Length] = times.Length;
        for (var i = times.Length - 1; i >= 0; i--)
            _nextProcessesOk[i] = processesOk[i] ? i : _nextProcessesOk[i + 1];
    }

    /// <summary>Two timelines of one context, the earlier first.</summary>
    public static SnapshotTimeline Concat(SnapshotTimeline earlier, SnapshotTimeline later) => new(
        [.. earlier.Times, .. later.Times], [.. earlier.ProcessesOk, .. later.ProcessesOk], [.. earlier.Limits, .. later.Limits],
        [.. earlier.HoldersKnown, .. later.HoldersKnown]);

    /// <summary>The first index whose time is at or after <paramref name="t"/> (Count when none).</summary>
    public int IndexAtOrAfter(long t)
    {
        var i = Array.BinarySearch(Times, t);
        return i >= 0 ? i : ~i;
    }

    /// <summary>Indices of the snapshots taken in [from, to); empty when First &gt; Last.</summary>
    public (int First, int Last) Within(long from, long to) => (IndexAtOrAfter(from), IndexAtOrAfter(to) - 1);

    /// <summary>The first snapshot in [first, last] whose liveness is known, or -1.</summary>
    public int FirstProcessesOk(int first, int last) =>
        first <= last && _nextProcessesOk[first] <= last ? _nextProcessesOk[first] : -1;
}
