using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// How close each kernel limit came to exhaustion, named as `lsipc -g` names them. Each snapshot is
/// measured against the limits in force at it. Counts are ulong because shmall and shmmax can be close
/// to 2^64; only percentages and the trend use floating point.
/// </summary>
public static class LimitPressureAnalyzer
{
    public const double WarnPercent = 80;
    /// <summary>`report --fail-on pressure` fails when a limit is at or above this at the end of the window.</summary>
    public const double CriticalPercent = 90;
    /// <summary>A projection further out than this is not a forecast anyone can act on; it is reported as null.</summary>
    public static readonly TimeSpan ProjectionHorizon = TimeSpan.FromDays(100 * 365.25);

    public static IReadOnlyList<PressureRow> Analyze(UnitSeries s)
    {
        var n = s.Count;
        var max = new ulong?[n];
        PressureRow Row(string limit, ReadOnlySpan<ulong> used, Func<IpcLimits, ulong?> limitOf)
        {
            for (var i = 0; i < n; i++) max[i] = limitOf(s.Limits[i]);
            return Measure(s.Unit.Label, limit, s.Times, s.Segment, used, max);
        }
        var shmCount = s.ShmCount.Take(n).Select(v => (ulong)v).ToArray();
        var semCount = s.SemCount.Take(n).Select(v => (ulong)v).ToArray();
        var msgCount = s.MsgCount.Take(n).Select(v => (ulong)v).ToArray();
        var queueCapacity = s.FullestQueueCapacity;
        return
        [
            Row(LimitNames.Shmmni, shmCount, l => l.Shmmni),
            Row(LimitNames.Shmall, s.ShmPages.AsSpan(0, n), l => l.Shmall),
            Row(LimitNames.Shmmax, s.LargestShm, l => l.Shmmax),
            Row(LimitNames.Semmni, semCount, l => l.Semmni),
            Row(LimitNames.Semmns, s.Semaphores.AsSpan(0, n), l => l.Semmns),
            Row(LimitNames.Semmsl, s.LargestSem, l => l.Semmsl),
            Row(LimitNames.Msgmni, msgCount, l => l.Msgmni),
            MeasureQueue(s, queueCapacity),
        ];
    }

    // MSGMNB is per queue: the fullest queue against its own capacity (qbytes, or msgmnb when unknown).
    private static PressureRow MeasureQueue(UnitSeries s, ulong[] capacity)
    {
        var max = new ulong?[s.Count];
        for (var i = 0; i < s.Count; i++) max[i] = capacity[i] == 0 ? null : capacity[i];
        return Measure(s.Unit.Label, LimitNames.Msgmnb, s.Times, s.Segment, s.FullestQueueBytes, max);
    }

    /// <summary>
    /// One limit over a series: used/max/percent at the last point, the peak, the time at or above
    /// 80 % and 90 % (each snapshot's value holds until the next snapshot of the same context), and
    /// when the limit is reached if the least-squares slope of <c>used</c> holds.
    /// </summary>
    public static PressureRow Measure(string host, string limit, ReadOnlySpan<long> times, ReadOnlySpan<int> segment,
        ReadOnlySpan<ulong> used, ReadOnlySpan<ulong?> max)
    {
        var last = times.Length - 1;
        double? peak = null;
        long? peakAt = null;
        long above80 = 0, above90 = 0;
        for (var i = 0; i <= last; i++)
        {
            var p = Percent(used[i], max[i]);
            if (p is { } v && (peak is null || v > peak)) (peak, peakAt) = (v, times[i]);
            if (i == last || p is not { } q || segment[i] != segment[i + 1]) continue;
            var held = times[i + 1] - times[i];
            if (q >= WarnPercent) above80 += held;
            if (q >= CriticalPercent) above90 += held;
        }
        return new PressureRow
        {
            Host = host, Limit = limit,
            Used = used[last], Max = max[last], Percent = Percent(used[last], max[last]),
            PeakPercent = peak, PeakAt = peakAt is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null,
            SecondsAbove80 = above80 / 1000, SecondsAbove90 = above90 / 1000,
            ProjectedExhaustion = Project(times, used, max[last]),
        };
    }

    public static double? Percent(ulong used, ulong? max) => max is { } m and > 0 ? (double)used / m * 100.0 : null;

    private static DateTimeOffset? Project(ReadOnlySpan<long> times, ReadOnlySpan<ulong> used, ulong? max)
    {
        if (max is not { } limit) return null;
        var values = used.ToArray();
        var slope = LeastSquares.SlopePerDay(times, i => values[i]);
        if (slope <= 0) return null;
        var now = times[^1];
        var current = values[^1];
        if (current >= limit) return DateTimeOffset.FromUnixTimeMilliseconds(now);
        var days = (double)(limit - current) / slope;
        if (days > ProjectionHorizon.TotalDays) return null;
        return DateTimeOffset.FromUnixTimeMilliseconds(now + (long)Math.Round(days * 86_400_000.0));
    }
}
