using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// How close each kernel limit came to exhaustion, named as `lsipc -g` names them. Each snapshot is
/// measured against the limits in force at it. Counts are ulong because shmall and shmmax can be close
/// to 2^64; only percentages and the trend use floating point. Pools (SHMMNI, SHMALL, SEMMNI, SEMMNS,
/// MSGMNI, and each queue's qbytes for MSGMNB) can run out; caps (SHMMAX, SEMMSL) bound one object and
/// are measured as information only: the largest object against its cap.
/// </summary>
public static class LimitPressureAnalyzer
{
    public const double WarnPercent = 80;
    /// <summary>`report --fail-on pressure` fails when a pool is at or above this at the end of the window.</summary>
    public const double CriticalPercent = 90;
    /// <summary>A projection further out than this is "rising, not within a year": no date anyone can plan by.</summary>
    public static readonly TimeSpan ProjectionHorizon = TimeSpan.FromDays(365);
    /// <summary>
    /// The trend is the least-squares slope over the last day of the latest boot, back from the last
    /// snapshot. A day holds one cycle of daily jobs (backups, batch loads, log rotation), so a daily
    /// rise and fall is not mistaken for growth; anything older is history, not trend: one step
    /// followed by a flat day projects nothing, and a reboot starts the trend afresh. It does not
    /// depend on --since, so the same history gives the same projection whatever window is asked for.
    /// </summary>
    public static readonly TimeSpan TrendWindow = TimeSpan.FromHours(24);

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
        return
        [
            Row(LimitNames.Shmmni, shmCount, l => l.Shmmni),
            Row(LimitNames.Shmall, s.ShmPages.AsSpan(0, n), l => l.Shmall),
            Row(LimitNames.Shmmax, s.LargestShm, l => l.Shmmax),
            Row(LimitNames.Semmni, semCount, l => l.Semmni),
            Row(LimitNames.Semmns, s.Semaphores.AsSpan(0, n), l => l.Semmns),
            Row(LimitNames.Semmsl, s.LargestSem, l => l.Semmsl),
            Row(LimitNames.Msgmni, msgCount, l => l.Msgmni),
            MeasureQueue(s),
        ];
    }

    // MSGMNB is per queue: the fullest queue against its own capacity (qbytes, or msgmnb when unknown),
    // charged the larger of its bytes and its messages, as msgsnd is.
    private static PressureRow MeasureQueue(UnitSeries s)
    {
        var max = new ulong?[s.Count];
        var used = new ulong[s.Count];
        for (var i = 0; i < s.Count; i++)
        {
            max[i] = s.FullestQueueCapacity[i] == 0 ? null : s.FullestQueueCapacity[i];
            used[i] = s.FullestQueueCharged(i);
        }
        var row = Measure(s.Unit.Label, LimitNames.Msgmnb, s.Times, s.Segment, used, max);
        return row with { QueueBytes = s.FullestQueueBytes[^1], QueueMessages = s.FullestQueueMessages[^1] };
    }

    /// <summary>
    /// One limit over a series: used/max/percent at the last point, the peak, the time at or above
    /// 80 % and 90 % (each snapshot's value holds until the next snapshot of the same context), and for
    /// a pool, since when it has been exhausted or when it will be if the recent trend holds.
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
        var row = new PressureRow
        {
            Host = host, Limit = limit,
            Used = used[last], Max = max[last], Percent = Percent(used[last], max[last]),
            PeakPercent = peak, PeakAt = peakAt is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null,
            SecondsAbove80 = above80 / 1000, SecondsAbove90 = above90 / 1000,
            ProjectedExhaustion = null,
        };
        if (LimitRoles.Of(limit) == LimitRoles.Cap) return row;

        var trend = Trend(times, segment, used, out var slopePerDay);
        var exhaustedSince = ExhaustedSince(times, segment, used, max);
        return row with
        {
            Trend = trend,
            ExhaustedSince = exhaustedSince,
            ProjectedExhaustion = exhaustedSince is null && trend == TrendNames.Rising ? Project(times[last], used[last], max[last], slopePerDay) : null,
        };
    }

    public static double? Percent(ulong used, ulong? max) => max is { } m and > 0 ? (double)used / m * 100.0 : null;

    /// <summary>The first snapshot of the run at 100 % that reaches the last snapshot, within its boot; null when not at 100 % now.</summary>
    private static DateTimeOffset? ExhaustedSince(ReadOnlySpan<long> times, ReadOnlySpan<int> segment, ReadOnlySpan<ulong> used, ReadOnlySpan<ulong?> max)
    {
        static bool Full(ulong used, ulong? max) => max is { } m and > 0 && used >= m;
        var last = times.Length - 1;
        if (!Full(used[last], max[last])) return null;
        var first = last;
        while (first > 0 && segment[first - 1] == segment[last] && Full(used[first - 1], max[first - 1])) first--;
        return DateTimeOffset.FromUnixTimeMilliseconds(times[first]);
    }

    /// <summary>Rising, flat or falling over <see cref="TrendWindow"/> of the latest boot; null with fewer than two snapshots there.</summary>
    private static string? Trend(ReadOnlySpan<long> times, ReadOnlySpan<int> segment, ReadOnlySpan<ulong> used, out double slopePerDay)
    {
        slopePerDay = 0;
        var last = times.Length - 1;
        var from = last;
        var since = times[last] - (long)TrendWindow.TotalMilliseconds;
        while (from > 0 && segment[from - 1] == segment[last] && times[from - 1] >= since) from--;
        if (from == last) return null;
        var recent = used[from..(last + 1)];
        // Equal values are flat, whatever rounding a least-squares fit of 2^64-sized numbers does.
        if (!recent.ContainsAnyExcept(recent[0])) return TrendNames.Flat;
        var values = recent.ToArray();
        slopePerDay = LeastSquares.SlopePerDay(times[from..(last + 1)], i => values[i]);
        return slopePerDay > 0 ? TrendNames.Rising : slopePerDay < 0 ? TrendNames.Falling : TrendNames.Flat;
    }

    private static DateTimeOffset? Project(long now, ulong current, ulong? max, double slopePerDay)
    {
        if (max is not { } limit || current >= limit) return null;
        var days = (double)(limit - current) / slopePerDay;
        if (days > ProjectionHorizon.TotalDays) return null;
        return DateTimeOffset.FromUnixTimeMilliseconds(now + (long)Math.Round(days * 86_400_000.0));
    }
}
