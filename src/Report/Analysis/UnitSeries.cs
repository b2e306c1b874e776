using IpcAudit.Collector.Model;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// A unit's totals at each of its snapshots in the window (all its contexts, one after another):
/// what the growth, pressure and chart sections are computed from. Sums are built with difference
/// arrays over each state's snapshot range, so the cost follows state rows, not snapshots × objects.
/// </summary>
public sealed class UnitSeries
{
    public HistoryUnit Unit { get; }
    public int Count { get; }
    public long[] Times { get; }
    /// <summary>Which of the unit's contexts each snapshot belongs to: time between two contexts (a reboot) is not weighted.</summary>
    public int[] Segment { get; }
    public IpcLimits[] Limits { get; }

    public long[] ShmCount { get; }
    public ulong[] ShmBytes { get; }
    /// <summary>Σ ceil(size / page size), as the kernel charges shm against shmall.</summary>
    public ulong[] ShmPages { get; }
    public ulong[] LargestShm { get; }
    public long[] SemCount { get; }
    public ulong[] Semaphores { get; }
    public ulong[] LargestSem { get; }
    public long[] MsgCount { get; }
    public ulong[] MsgBytes { get; }
    /// <summary>
    /// The fullest queue (by max(cbytes, qnum) / capacity, as the kernel counts both against qbytes): its
    /// bytes, its messages, and its capacity (qbytes, else msgmnb; 0 when unknown).
    /// </summary>
    public ulong[] FullestQueueBytes { get; }
    public ulong[] FullestQueueMessages { get; }
    public ulong[] FullestQueueCapacity { get; }
    private readonly double[] _fullestRatio;

    /// <summary>Per kind and owner uid: object count and amount (shm bytes, sem nsems, msg cbytes) at each snapshot.</summary>
    public IReadOnlyDictionary<(string Kind, uint Owner), OwnerSeries> Owners => _owners;
    private readonly Dictionary<(string Kind, uint Owner), OwnerSeries> _owners = [];
    private bool _finished;
    // Each shm segment's and array's snapshot range and size, for LargestShm and LargestSem at Finish().
    private readonly List<(int First, int Last, ulong Size)> _shmSpans = [], _semSpans = [];
    // Where each context's snapshots start in this series.
    private readonly int[] _offsets;

    public UnitSeries(HistoryUnit unit)
    {
        Unit = unit;
        Count = unit.SnapshotCount;
        (Times, Segment, Limits) = (new long[Count], new int[Count], new IpcLimits[Count]);
        var at = 0;
        _offsets = new int[unit.Contexts.Count];
        for (var c = 0; c < unit.Contexts.Count; c++)
        {
            _offsets[c] = at;
            var w = unit.Contexts[c].Window;
            Array.Copy(w.Times, 0, Times, at, w.Count);
            Array.Copy(w.Limits, 0, Limits, at, w.Count);
            Array.Fill(Segment, c, at, w.Count);
            at += w.Count;
        }
        // Sums are difference arrays (one extra slot) until Finish().
        ShmCount = new long[Count + 1]; SemCount = new long[Count + 1]; MsgCount = new long[Count + 1];
        ShmBytes = new ulong[Count + 1]; ShmPages = new ulong[Count + 1]; Semaphores = new ulong[Count + 1]; MsgBytes = new ulong[Count + 1];
        LargestShm = new ulong[Count]; LargestSem = new ulong[Count];
        FullestQueueBytes = new ulong[Count]; FullestQueueMessages = new ulong[Count]; FullestQueueCapacity = new ulong[Count];
        _fullestRatio = new double[Count];
        Array.Fill(_fullestRatio, -1);
    }


    /// <summary>Adds a context's shm and sem objects: their size is fixed for life, so presence and owner are all that is needed.</summary>
    internal void AddObjects(int contextIndex, IReadOnlyList<ObjectRecord> objects, IReadOnlyDictionary<long, OwnerSpan[]> owners)
    {
        var context = Unit.Contexts[contextIndex];
        var offset = _offsets[contextIndex];
        var page = (ulong)context.PageSize;
        foreach (var o in objects)
        {
            if (o.Kind == IpcKind.Msg || !owners.TryGetValue(o.ObjectId, out var spans)) continue;
            var size = (ulong)(o.Shape ?? 0);
            foreach (var span in spans)
            {
                var (f, l) = context.Window.Within(span.From, span.To);
                if (f > l) continue;
                (f, l) = (f + offset, l + offset);
                if (o.Kind == IpcKind.Shm)
                {
                    Add(ShmCount, f, l, 1);
                    Add(ShmBytes, f, l, size);
                    Add(ShmPages, f, l, size / page + (size % page == 0 ? 0UL : 1UL));
                    _shmSpans.Add((f, l, size));
                }
                else
                {
                    Add(SemCount, f, l, 1);
                    Add(Semaphores, f, l, size);
                    _semSpans.Add((f, l, size));
                }
                AddOwner(o.Kind, span.Uid, f, l, size);
            }
        }
    }

    /// <summary>
    /// Adds one owner's queues at one snapshot: count, queued bytes, and the fullest queue, which is the
    /// largest share of capacity charged, then the most charged, bytes and capacity (the order msg_totals ranks by).
    /// </summary>
    internal void AddQueueTotals(int contextIndex, in QueueTotals q)
    {
        var window = Unit.Contexts[contextIndex].Window;
        var at = QueueSnapshot(contextIndex, window, q.At);
        if (at >= window.Count || window.Times[at] != q.At) return;
        var i = at + _offsets[contextIndex];
        Add(MsgCount, i, i, q.Queues);
        Add(MsgBytes, i, i, q.Cbytes);
        var ratio = q.FullestCapacity == 0 ? 0 : (double)q.FullestCharged / q.FullestCapacity;
        if ((ratio, q.FullestCharged, q.FullestCbytes, q.FullestCapacity).CompareTo((_fullestRatio[i], FullestQueueCharged(i), FullestQueueBytes[i], FullestQueueCapacity[i])) > 0)
            (_fullestRatio[i], FullestQueueBytes[i], FullestQueueMessages[i], FullestQueueCapacity[i]) = (ratio, q.FullestCbytes, q.FullestQnum, q.FullestCapacity);
        if (!_queueOwners.TryGetValue(q.Uid, out var owner)) _queueOwners[q.Uid] = owner = OwnerOf(IpcKind.Msg, q.Uid);
        Add(owner.Count, i, i, q.Queues);
        Add(owner.Amount, i, i, q.Cbytes);
    }

    // Queue totals come in time order (HistorySql.QueueTotals), a row per owner: the snapshot of the last row
    // is where the next one's search starts, and each owner's series is found once per unit, not per row.
    private (int Context, int Index) _queueCursor = (-1, 0);
    private readonly Dictionary<uint, OwnerSeries> _queueOwners = [];

    /// <summary>The index in <paramref name="window"/> of the first snapshot at or after <paramref name="at"/>, stepping on from the last one asked.</summary>
    private int QueueSnapshot(int contextIndex, SnapshotTimeline window, long at)
    {
        var (context, i) = _queueCursor;
        if (context != contextIndex || i >= window.Count || window.Times[i] > at) i = window.IndexAtOrAfter(at);
        else while (i < window.Count && window.Times[i] < at) i++;
        _queueCursor = (contextIndex, i);
        return i;
    }

    /// <summary>What the fullest queue holds against its qbytes at snapshot <paramref name="i"/>: the larger of its bytes and messages.</summary>
    public ulong FullestQueueCharged(int i) => Math.Max(FullestQueueBytes[i], FullestQueueMessages[i]);

    private void AddOwner(string kind, uint uid, int first, int last, ulong amount)
    {
        var o = OwnerOf(kind, uid);
        Add(o.Count, first, last, 1);
        Add(o.Amount, first, last, amount);
    }

    private OwnerSeries OwnerOf(string kind, uint uid)
    {
        if (!_owners.TryGetValue((kind, uid), out var o)) _owners[(kind, uid)] = o = new OwnerSeries(Count);
        return o;
    }

    private static void Add(long[] diff, int first, int last, long v) { diff[first] += v; diff[last + 1] -= v; }

    // Unsigned wrap-around cancels out in the prefix sums.
    private static void Add(ulong[] diff, int first, int last, ulong v) { unchecked { diff[first] += v; diff[last + 1] -= v; } }

    /// <summary>Turns the difference arrays into values; call once, after every state was added.</summary>
    public UnitSeries Finish()
    {
        if (_finished) return this;
        _finished = true;
        foreach (var a in new[] { ShmCount, SemCount, MsgCount }) Prefix(a);
        foreach (var a in new[] { ShmBytes, ShmPages, Semaphores, MsgBytes }) Prefix(a);
        foreach (var o in _owners.Values) { Prefix(o.Count); Prefix(o.Amount); }
        Largest(LargestShm, _shmSpans);
        Largest(LargestSem, _semSpans);
        for (var i = 0; i < Count; i++)
            if (_fullestRatio[i] < 0) FullestQueueCapacity[i] = Limits[i].Msgmnb ?? 0;
        return this;
    }

    /// <summary>
    /// The largest size present at each snapshot: spans largest first, each snapshot set once by the first
    /// that covers it (<paramref name="next"/> skips the ones set), so the cost follows spans, not spans × snapshots.
    /// </summary>
    private static void Largest(ulong[] largest, List<(int First, int Last, ulong Size)> spans)
    {
        var next = new int[largest.Length + 1];
        for (var i = 0; i < next.Length; i++) next[i] = i;
        foreach (var (first, last, size) in spans.OrderByDescending(s => s.Size))
            for (var i = Unset(next, first); i <= last; i = Unset(next, i + 1))
                (largest[i], next[i]) = (size, i + 1);
        spans.Clear();
    }

    /// <summary>The first snapshot at or after <paramref name="i"/> not yet set (path halving).</summary>
    private static int Unset(int[] next, int i)
    {
        while (next[i] != i)
        {
            next[i] = next[next[i]];
            i = next[i];
        }
        return i;
    }

    internal static void Prefix(long[] a) { for (var i = 1; i < a.Length; i++) a[i] += a[i - 1]; }
    internal static void Prefix(ulong[] a) { unchecked { for (var i = 1; i < a.Length; i++) a[i] += a[i - 1]; } }

    /// <summary>The chart points: counts and sizes at each snapshot.</summary>
    public HostSeries ToHostSeries()
    {
        var points = new SeriesPoint[Count];
        for (var i = 0; i < Count; i++)
            points[i] = new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(Times[i]), (int)ShmCount[i], (int)SemCount[i], (int)MsgCount[i],
                ShmBytes[i], (long)Semaphores[i], MsgBytes[i]);
        var reboots = new List<DateTimeOffset>();
        for (var c = 1; c < Unit.Contexts.Count; c++)
            if (Unit.Contexts[c].BootId != Unit.Contexts[c - 1].BootId)
                reboots.Add(DateTimeOffset.FromUnixTimeMilliseconds(Times[_offsets[c]]));
        return new HostSeries(Unit.Label, points, reboots);
    }
}

/// <summary>One owner's objects of one kind at each snapshot (arrays have one spare slot at the end).</summary>
public sealed class OwnerSeries(int count)
{
    public long[] Count { get; } = new long[count + 1];
    public ulong[] Amount { get; } = new ulong[count + 1];
}
