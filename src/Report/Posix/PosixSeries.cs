using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Posix;

/// <summary>
/// Growth and pressure of the POSIX kinds over one unit's snapshots (every context of it, in order):
/// per kind and owner, counts and bytes (allocated bytes for /dev/shm files, bytes queued for queues)
/// with least-squares slopes, created and removed; and the two POSIX pools, the /dev/shm tmpfs
/// (DEVSHM: bytes used against its size) and MQ_QUEUES (queues against fs.mqueue.queues_max).
/// </summary>
public sealed class PosixSeries(HistoryUnit unit)
{
    public const string DevShm = "DEVSHM", MqQueues = "MQ_QUEUES";

    private readonly List<long> _times = [];
    private readonly List<(ContextWindow Context, IReadOnlyList<PosixObject> Objects)> _contexts = [];
    private readonly List<PosixLevel> _levels = [];

    public void Add(ContextWindow context, IReadOnlyList<PosixObject> objects, IReadOnlyList<PosixLevel> levels)
    {
        _times.AddRange(context.Window.Times);
        _contexts.Add((context, objects));
        _levels.AddRange(levels);
    }

    public IReadOnlyList<GrowthRow> Growth()
    {
        if (_times.Count == 0) return [];
        var n = _times.Count;
        var series = new Dictionary<(string Kind, uint Owner), (double[] Count, double[] Bytes, long Created, long Removed)>();
        var offset = 0;
        var (first, last) = (_times[0], _times[^1]);
        foreach (var (context, objects) in _contexts)
        {
            var times = context.Window.Times;
            foreach (var o in objects)
            {
                foreach (var s in o.States)
                {
                    var key = (o.Kind, s.Uid);
                    if (!series.TryGetValue(key, out var v)) series[key] = v = (new double[n], new double[n], 0, 0);
                    for (var i = 0; i < times.Length; i++)
                        if (s.From <= times[i] && times[i] < s.To && o.PresentAt(times[i]))
                        {
                            v.Count[offset + i]++;
                            v.Bytes[offset + i] += o.Kind == PosixKinds.Mq ? s.Bytes ?? 0 : s.AllocatedBytes ?? s.Bytes ?? 0;
                        }
                }
                var owner = (o.Kind, o.States[^1].Uid);
                var w = series[owner];
                if (o.FirstSeen > first) w.Created++;
                if (o.RemovedAt is { } r && r <= last) w.Removed++;
                series[owner] = w;
            }
            offset += times.Length;
        }
        var allTimes = _times.ToArray();
        return series.OrderBy(e => PosixKinds.All.ToList().IndexOf(e.Key.Kind)).ThenBy(e => e.Key.Owner).Select(e => new GrowthRow
        {
            Host = unit.Label, Kind = e.Key.Kind, Owner = e.Key.Owner,
            StartCount = (long)e.Value.Count[0], EndCount = (long)e.Value.Count[^1],
            StartBytes = (ulong)e.Value.Bytes[0], EndBytes = (ulong)e.Value.Bytes[^1],
            CountSlopePerDay = LeastSquares.SlopePerDay(allTimes, i => e.Value.Count[i]),
            BytesSlopePerDay = LeastSquares.SlopePerDay(allTimes, i => e.Value.Bytes[i]),
            Created = e.Value.Created, Removed = e.Value.Removed,
        }).ToList();
    }

    public IReadOnlyList<PressureRow> Pressure()
    {
        var rows = new List<PressureRow>();
        if (_levels.Count == 0) return rows;
        if (Row(DevShm, l => l.DevshmUsedBytes, l => l.DevshmBytes) is { } shm) rows.Add(shm);
        if (Row(MqQueues, l => l.MqQueues, l => l.MqQueuesMax) is { } mq) rows.Add(mq);
        return rows;
    }

    /// <summary>Used against max at the last level, the peak, and the time at or above 80 % and 90 % (a level holds until the next).</summary>
    private PressureRow? Row(string limit, Func<PosixLevel, long?> used, Func<PosixLevel, long?> max)
    {
        var last = _levels[^1];
        if (used(last) is not { } u) return null;
        double? Percent(PosixLevel l) => used(l) is { } a && max(l) is { } m && m > 0 ? 100.0 * a / m : null;
        double? peak = null;
        DateTimeOffset? peakAt = null;
        long above80 = 0, above90 = 0;
        for (var i = 0; i < _levels.Count; i++)
        {
            if (Percent(_levels[i]) is not { } p) continue;
            if (peak is null || p > peak) (peak, peakAt) = (p, DateTimeOffset.FromUnixTimeMilliseconds(_levels[i].At));
            var held = i + 1 < _levels.Count ? _levels[i + 1].At - _levels[i].At : 0;
            if (p >= 80) above80 += held / 1000;
            if (p >= 90) above90 += held / 1000;
        }
        return new PressureRow
        {
            Host = unit.Label, Limit = limit, Used = (ulong)u, Max = max(last) is { } m ? (ulong)m : null,
            Percent = Percent(last) is { } pc ? Math.Round(pc, 2) : null, PeakPercent = peak is { } pk ? Math.Round(pk, 2) : null, PeakAt = peakAt,
            SecondsAbove80 = above80, SecondsAbove90 = above90, ProjectedExhaustion = null,
        };
    }
}
