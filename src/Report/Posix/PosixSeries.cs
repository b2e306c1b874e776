using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Posix;

/// <summary>
/// Growth and pressure of the POSIX kinds over one unit's snapshots (every context of it, in order):
/// per kind and owner, counts and bytes (allocated bytes for /dev/shm files, bytes queued for queues)
/// with least-squares slopes, created and removed; and the two POSIX pools, the /dev/shm tmpfs
/// (DEVSHM: bytes used against its size) and MQ_QUEUES (queues against fs.mqueue.queues_max), measured,
/// trended and projected as the System V pools are.
/// </summary>
public sealed class PosixSeries(HistoryUnit unit)
{
    public HistoryUnit Unit => unit;

    public const string DevShm = "DEVSHM", MqQueues = "MQ_QUEUES";

    private readonly List<long> _times = [];
    private readonly List<(ContextWindow Context, IReadOnlyList<PosixObject> Objects)> _contexts = [];
    private readonly List<PosixLevel> _levels = [];
    // Which context (boot) each level belongs to: time across a reboot is not weighted, and the trend starts afresh.
    private readonly List<int> _segments = [];

    public void Add(ContextWindow context, IReadOnlyList<PosixObject> objects, IReadOnlyList<PosixLevel> levels)
    {
        _times.AddRange(context.Window.Times);
        _contexts.Add((context, objects));
        _levels.AddRange(levels);
        _segments.AddRange(Enumerable.Repeat(_contexts.Count - 1, levels.Count));
    }

    private IReadOnlyList<GrowthRow>? _growth;

    public IReadOnlyList<GrowthRow> Growth() => _growth ??= ComputeGrowth();

    /// <summary>
    /// One churn row per POSIX kind when the unit has POSIX history: created and removed as growth counts
    /// them, and removals that fit systemd-logind's RemoveIPC=yes, which also unlinks a user's /dev/shm files
    /// and queues when the user's last session ends (mapped or not): the owner above SYS_UID_MAX, a process
    /// seen holding it alive at the removal snapshot, and none of that uid's other POSIX objects outliving it.
    /// `reap` removes no POSIX object, so none is reaped.
    /// </summary>
    public IReadOnlyList<ChurnRow> Churn()
    {
        if (_contexts.All(c => c.Objects.Count == 0)) return [];
        var last = unit.Contexts[^1];
        var sysUidMax = last.SysUidMax is { } v and >= 0 and <= uint.MaxValue ? (uint)v : RemoveIpcSignature.DefaultSysUidMax;
        var growth = Growth();
        return [.. PosixKinds.All.Select(kind => new ChurnRow
        {
            Host = unit.Label, Kind = kind,
            Created = growth.Where(g => g.Kind == kind).Sum(g => g.Created), Removed = growth.Where(g => g.Kind == kind).Sum(g => g.Removed),
            VanishedWhileUsed = VanishedWhileUsed(kind, sysUidMax), SysUidMax = sysUidMax, SysUidMaxAssumed = last.SysUidMax is null,
        })];
    }

    private long VanishedWhileUsed(string kind, uint sysUidMax)
    {
        long n = 0;
        foreach (var (context, objects) in _contexts)
        {
            var w = context.Window;
            foreach (var o in objects)
            {
                if (o.Kind != kind || o.RemovedAt is not { } at) continue;
                var i = w.IndexAtOrAfter(at);
                if (i <= 0 || i >= w.Count || w.Times[i] != at || !w.ProcessesOk[i]) continue;
                var (before, state) = (w.Times[i - 1], o.States[^1]);
                if (state.Uid <= sysUidMax) continue;
                if (!(state.MappedPids ?? []).Concat(state.OpenPids ?? []).Append(state.NotifyPid ?? 0).Any(pid => context.Processes.AliveAt(pid, at, null))) continue;
                if (objects.Any(x => x != o && x.PresentAt(before) && x.PresentAt(at) && x.StateAt(before)?.Uid == state.Uid)) continue;
                n++;
            }
        }
        return n;
    }

    private IReadOnlyList<GrowthRow> ComputeGrowth()
    {
        if (_times.Count == 0) return [];
        var n = _times.Count;
        var series = new Dictionary<(string Kind, uint Owner), (double[] Count, double[] Bytes, long Created, long Removed)>();
        var offset = 0;
        var (first, last) = (_times[0], _times[^1]);
        void Count((string, uint) key, long created = 0, long removed = 0)
        {
            var v = series[key];
            series[key] = v with { Created = v.Created + created, Removed = v.Removed + removed };
        }
        for (var c = 0; c < _contexts.Count; c++)
        {
            var (context, objects) = _contexts[c];
            var endedByReboot = c < _contexts.Count - 1;
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
                // As ChurnAnalyzer counts System V objects: created under its first owner; removed under its last
                // owner when gone at a later snapshot, or when a reboot ended its boot with it still there. So per
                // owner, end = start + created − removed (unless chown moved files between owners).
                if (o.FirstSeen > first) Count((o.Kind, o.States[0].Uid), created: 1);
                if (o.RemovedAt is { } r && r <= last) Count((o.Kind, o.States[^1].Uid), removed: 1);
                else if (endedByReboot && o.PresentAt(context.WindowEnd)) Count((o.Kind, o.States[^1].Uid), removed: 1);
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

    /// <summary>
    /// The System V pools' measure (<see cref="LimitPressureAnalyzer.Measure"/>): current, peak, time at or above
    /// 80 % and 90 % within a boot, the trend over the last day and the projected exhaustion. A snapshot whose
    /// use is unknown is no point of the series (unknown is not zero); none when the last one's is unknown.
    /// </summary>
    private PressureRow? Row(string limit, Func<PosixLevel, long?> used, Func<PosixLevel, long?> max)
    {
        if (used(_levels[^1]) is null) return null;
        var known = _levels.Select((l, i) => (Level: l, Segment: _segments[i])).Where(p => used(p.Level) is not null).ToList();
        var times = known.Select(p => p.Level.At).ToArray();
        var segments = known.Select(p => p.Segment).ToArray();
        var values = known.Select(p => (ulong)used(p.Level)!.Value).ToArray();
        var limits = known.Select(p => max(p.Level) is { } m ? (ulong?)m : null).ToArray();
        return LimitPressureAnalyzer.Measure(unit.Label, limit, times, segments, values, limits);
    }
}
