using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

public sealed class LimitPressureTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    private static long[] HourTimes(int n) => Enumerable.Range(0, n).Select(i => H(i).ToUnixTimeMilliseconds()).ToArray();

    [Fact]
    public void PercentPeakAndTimeAboveThresholdsAreTimeWeighted()
    {
        // Hourly: 50, 85, 95, 85, 60 of 100. At/above 80 for hours 1-3 (3 h), at/above 90 for hour 2 (1 h).
        ulong[] used = [50, 85, 95, 85, 60];
        var row = LimitPressureAnalyzer.Measure("web1", LimitNames.Semmni, HourTimes(5), new int[5], used, Enumerable.Repeat((ulong?)100, 5).ToArray());

        Assert.Equal((60UL, 100UL, 60.0), (row.Used, row.Max, row.Percent));
        Assert.Equal(95.0, row.PeakPercent);
        Assert.Equal(H(2), row.PeakAt);
        Assert.Equal(3 * 3600, row.SecondsAbove80);
        Assert.Equal(3600, row.SecondsAbove90);
    }

    [Fact]
    public void TimeAcrossARebootIsNotWeighted()
    {
        ulong[] used = [95, 95, 95];
        var row = LimitPressureAnalyzer.Measure("web1", LimitNames.Shmmni, HourTimes(3), [0, 1, 1], used, [100, 100, 100]);

        Assert.Equal(3600, row.SecondsAbove90);
    }

    [Fact]
    public void ProjectionExtrapolatesTheLeastSquaresSlopeFromTheLastValue()
    {
        // +10 a day from 40; 60 left to 100 at the end: six days after the last point.
        var times = Enumerable.Range(0, 3).Select(d => T0.AddDays(d).ToUnixTimeMilliseconds()).ToArray();
        var row = LimitPressureAnalyzer.Measure("web1", LimitNames.Semmni, times, new int[3], [20, 30, 40], [100, 100, 100]);

        Assert.Equal(T0.AddDays(2 + 6), row.ProjectedExhaustion);
    }

    [Fact]
    public void NoProjectionWhenFlatFallingOrWithoutALimit()
    {
        var times = HourTimes(3);
        Assert.Null(LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[3], [5, 5, 5], [10, 10, 10]).ProjectedExhaustion);
        Assert.Null(LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[3], [7, 6, 5], [10, 10, 10]).ProjectedExhaustion);
        var unknown = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[3], [1, 2, 3], [null, null, null]);
        Assert.Null(unknown.ProjectedExhaustion);
        Assert.Null(unknown.Percent);
        Assert.Null(unknown.PeakAt);
    }

    [Fact]
    public void LimitsNearTwoToTheSixtyFourDoNotOverflow()
    {
        const ulong huge = 18446744073692774399;
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Shmall, HourTimes(2), new int[2], [1, 2], [huge, huge]);

        Assert.Equal(huge, row.Max);
        Assert.True(row.Percent is > 0 and < 1e-15);
        Assert.Null(row.ProjectedExhaustion); // further out than a century
    }

    [Fact]
    public void ShmallCountsEachSegmentInWholePages()
    {
        // 1 byte and 4097 bytes take 1 + 2 pages of 4096, not ceil(4098 / 4096) = 2.
        var limits = Build(T0).Limits with { Shmall = 30 };
        _history.SaveHourly(Hours(0, 1), h => Build(H(h), shm: [Shm(1, bytes: 1), Shm(2, bytes: 4097)], limits: limits));

        var shmall = _history.Report(-1, 2).Pressure.Single(p => p.Limit == LimitNames.Shmall);

        Assert.Equal((3UL, 30UL, 10.0), (shmall.Used, shmall.Max, shmall.Percent));
    }

    [Fact]
    public void EveryLimitIsMeasuredFromTheStoredHistory()
    {
        var limits = new Collector.Model.IpcLimits
        {
            Shmmni = 10, Shmall = 1000, Shmmax = 1 << 20, Semmni = 4, Semmns = 20, Semmsl = 10, Msgmni = 8, Msgmnb = 1000,
        };
        _history.SaveHourly(Hours(0, 2), h => Build(H(h),
            shm: Enumerable.Range(0, 9).Select(i => Shm(i, bytes: 8192)).ToList(),
            sem: [Sem(0, nsems: 5), Sem(1, nsems: 3)],
            msg: [Msg(0, qnum: 3), Msg(1, qnum: 1) with { Qbytes = 200 }],
            limits: limits));

        var p = _history.Report(-1, 3).Pressure.ToDictionary(r => r.Limit);

        Assert.Equal(LimitNames.All, _history.Report(-1, 3).Pressure.Select(r => r.Limit));
        Assert.Equal((9UL, 90.0), (p[LimitNames.Shmmni].Used, p[LimitNames.Shmmni].Percent));
        Assert.Equal((18UL, 1000UL), (p[LimitNames.Shmall].Used, p[LimitNames.Shmall].Max));
        Assert.Equal(8192UL, p[LimitNames.Shmmax].Used);
        Assert.Equal((2UL, 50.0), (p[LimitNames.Semmni].Used, p[LimitNames.Semmni].Percent));
        Assert.Equal((8UL, 40.0), (p[LimitNames.Semmns].Used, p[LimitNames.Semmns].Percent));
        Assert.Equal((5UL, 50.0), (p[LimitNames.Semmsl].Used, p[LimitNames.Semmsl].Percent));
        Assert.Equal((2UL, 25.0), (p[LimitNames.Msgmni].Used, p[LimitNames.Msgmni].Percent));
        // The fullest queue by its own capacity: 100 of 200 bytes (50 %) beats 300 of 16384.
        Assert.Equal((100UL, 200UL, 50.0), (p[LimitNames.Msgmnb].Used, p[LimitNames.Msgmnb].Max, p[LimitNames.Msgmnb].Percent));
        Assert.Equal(2 * 3600, p[LimitNames.Shmmni].SecondsAbove80);
    }
}
