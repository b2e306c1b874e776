using IpcAudit.Cli.Commands;
using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;
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
        Assert.Null(row.ProjectedExhaustion); // rising, but further out than a year
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
        var limits = new IpcLimits
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

    [Fact]
    public void TheLargestSegmentAndArrayAreTakenAtEachSnapshot()
    {
        // SHMMAX 1,000,000. Hourly largest segment: 900k (h0-2), 500k (h3), 950k (h4), 500k (h5): a 900k
        // segment removed, a 950k one created and removed, a 500k one throughout. Arrays the same in nsems of SEMMSL 100.
        var limits = Build(T0).Limits with { Shmmax = 1_000_000, Semmsl = 100 };
        _history.SaveHourly(Hours(0, 6), h => Build(H(h), limits: limits,
            shm: [Shm(1, bytes: 500_000), .. h <= 2 ? [Shm(2, bytes: 900_000)] : new List<ShmSegment>(), .. h == 4 ? [Shm(3, bytes: 950_000)] : new List<ShmSegment>()],
            sem: [Sem(1, nsems: 50), .. h <= 2 ? [Sem(2, nsems: 90)] : new List<SemArray>(), .. h == 4 ? [Sem(3, nsems: 95)] : new List<SemArray>()]));

        var p = _history.Report(-1, 6).Pressure.ToDictionary(r => r.Limit);

        foreach (var (cap, last) in new[] { (p[LimitNames.Shmmax], 500_000UL), (p[LimitNames.Semmsl], 50UL) })
        {
            Assert.Equal((last, 50.0), (cap.Used, cap.Percent));
            Assert.Equal((95.0, H(4)), (cap.PeakPercent, cap.PeakAt));
            // At or above 80 % for hours 0-2 and 4 (each weighted to the next snapshot), at or above 90 % for 0-2 and 4 too.
            Assert.Equal((4 * 3600L, 4 * 3600L), (cap.SecondsAbove80, cap.SecondsAbove90));
        }
    }

    private static ulong?[] Max(int n, ulong? max) => Enumerable.Repeat(max, n).ToArray();

    private static string Outlook(PressureRow p) => PressureText.Outlook(p, t => t.ToString("yyyy-MM-dd HH:mm"));

    [Fact]
    public void OracleStyleCapsAtTheirLimitAreInformationNotPressure()
    {
        // Oracle sizes its SGA to SHMMAX and takes semaphores in arrays of SEMMSL: both caps at 100 %, the pools far from full.
        const ulong sga = 8UL << 30;
        var limits = Build(T0).Limits with { Shmmax = sga, Semmsl = 250, Semmns = 32000, Semmni = 256, Shmmni = 4096 };
        _history.SaveHourly(Hours(0, 48), h => Build(H(h), limits: limits,
            shm: [Shm(1, bytes: sga, cpid: 100, nattch: 40, attached: [100])],
            sem: Enumerable.Range(0, 4).Select(i => Sem(i, nsems: 250)).ToList(),
            processes: [Alive(100)]));

        var doc = _history.Report(-1, 49);
        var p = doc.Pressure.ToDictionary(r => r.Limit);

        foreach (var cap in new[] { p[LimitNames.Shmmax], p[LimitNames.Semmsl] })
        {
            Assert.Equal((LimitRoles.Cap, 100.0), (cap.Role, cap.Percent));
            Assert.Null(cap.ExhaustedSince);
            Assert.Null(cap.ProjectedExhaustion);
            Assert.Null(cap.Trend);
        }
        Assert.Equal((sga, 250UL), (p[LimitNames.Shmmax].Used, p[LimitNames.Semmsl].Used));
        Assert.Equal(LimitRoles.Pool, p[LimitNames.Semmns].Role);
        Assert.False(ReportHandler.FindingsPresent(doc, new HashSet<string> { "pressure" }));
        Assert.Equal(LimitNames.Semmns, ReportRanking.ClosestToExhaustion(doc.Pressure)!.Limit); // 1,000 of 32,000
    }

    [Fact]
    public void APoolAtNinetyPercentStillFailsThePressureCheck()
    {
        var limits = Build(T0).Limits with { Semmni = 10 };
        _history.SaveHourly(Hours(0, 2), h => Build(H(h), limits: limits, sem: Enumerable.Range(0, 9).Select(i => Sem(i)).ToList()));

        Assert.True(ReportHandler.FindingsPresent(_history.Report(-1, 3), new HashSet<string> { "pressure" }));
    }

    [Fact]
    public void AQueueOfManyTinyMessagesIsFullByItsMessageCount()
    {
        // The kernel refuses a message unless qnum + 1 <= qbytes as well as cbytes + size <= qbytes (msg_fits_inqueue):
        // 1,000 empty messages fill a queue of qbytes 1,000 although it holds no bytes at all.
        _history.Save(
            Build(H(0), msg: [Msg(1) with { Qnum = 500, Cbytes = 0, Qbytes = 1000 }, Msg(2, qnum: 10)]),
            Build(H(1), msg: [Msg(1) with { Qnum = 1000, Cbytes = 0, Qbytes = 1000 }, Msg(2, qnum: 10)]),
            Build(H(2), msg: [Msg(1) with { Qnum = 1000, Cbytes = 0, Qbytes = 1000 }, Msg(2, qnum: 10)]));

        var msgmnb = _history.Report(-1, 3).Pressure.Single(r => r.Limit == LimitNames.Msgmnb);

        Assert.Equal((1000UL, 1000UL, 100.0), (msgmnb.Used, msgmnb.Max, msgmnb.Percent));
        Assert.Equal((1000UL, 0UL), (msgmnb.QueueMessages, msgmnb.QueueBytes));
        Assert.Equal(H(1), msgmnb.ExhaustedSince);
        Assert.Equal("1,000 msgs", PressureText.Used(msgmnb));
    }

    [Fact]
    public void QueueBytesStillCountWhenTheyOutweighTheMessages()
    {
        _history.SaveHourly(Hours(0, 1), h => Build(H(h), msg: [Msg(1) with { Qnum = 3, Cbytes = 600, Qbytes = 1000 }]));

        var msgmnb = _history.Report(-1, 2).Pressure.Single(r => r.Limit == LimitNames.Msgmnb);

        Assert.Equal((600UL, 60.0), (msgmnb.Used, msgmnb.Percent));
        Assert.Equal("600 B", PressureText.Used(msgmnb));
    }

    [Fact]
    public void ALimitAt100PercentIsExhaustedSinceTheStartOfItsCurrentRun()
    {
        // 100 % at hours 0-1, a dip at hour 2, then 100 % again from hour 3: exhausted since hour 3, not "runs out" at hour 5.
        ulong[] used = [10, 10, 9, 10, 10, 10];
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, HourTimes(6), new int[6], used, Max(6, 10));

        Assert.Equal(H(3), row.ExhaustedSince);
        Assert.Null(row.ProjectedExhaustion);
        Assert.Equal("exhausted since " + H(3).ToString("yyyy-MM-dd HH:mm"), Outlook(row));
    }

    [Fact]
    public void ExhaustionBeforeARebootIsNotPartOfTheCurrentRun()
    {
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Shmmni, HourTimes(4), [0, 0, 1, 1], [10, 10, 10, 10], Max(4, 10));

        Assert.Equal(H(2), row.ExhaustedSince);
    }

    [Fact]
    public void OneStepFollowedByAFlatWeekProjectsNothing()
    {
        // 50 for the first hour, then 80 for a week: the window's least-squares slope rises, the last day is flat.
        var times = HourTimes(7 * 24 + 2);
        var used = times.Select((_, i) => i < 2 ? 50UL : 80UL).ToArray();
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[times.Length], used, Max(times.Length, 100));

        Assert.True(LeastSquares.SlopePerDay(times, i => used[i]) > 0);
        Assert.Equal(TrendNames.Flat, row.Trend);
        Assert.Null(row.ProjectedExhaustion);
        Assert.Equal("not rising", Outlook(row));
    }

    [Fact]
    public void TheTrendIsTheLastDayOfTheLatestBootOnly()
    {
        // Falling before the reboot, then rising by 1 an hour after it: rising, 24 h away at 24 a day.
        var times = HourTimes(8);
        ulong[] used = [90, 80, 70, 60, 10, 11, 12, 13];
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, [0, 0, 0, 0, 1, 1, 1, 1], used, Max(8, 37));

        Assert.Equal(TrendNames.Rising, row.Trend);
        Assert.Equal(H(7 + 24), row.ProjectedExhaustion);
    }

    [Fact]
    public void ARiseTooSlowToMatterWithinAYearIsStillRising()
    {
        // +1 a day towards 32,000: about 87 years away.
        var times = Enumerable.Range(0, 3).Select(d => T0.AddHours(12 * d).ToUnixTimeMilliseconds()).ToArray();
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[3], [100, 100, 101], Max(3, 32000));

        Assert.Equal(TrendNames.Rising, row.Trend);
        Assert.Null(row.ProjectedExhaustion);
        Assert.Equal("rising, not within a year", Outlook(row));
    }

    [Fact]
    public void AProjectionWithinAYearHasItsDate()
    {
        // +1 a day, 300 left: 300 days after the last point.
        var times = Enumerable.Range(0, 3).Select(d => T0.AddHours(12 * d).ToUnixTimeMilliseconds()).ToArray();
        var row = LimitPressureAnalyzer.Measure("h", LimitNames.Semmni, times, new int[3], [100, 100, 101], Max(3, 401));

        Assert.Equal(T0.AddDays(1 + 300), row.ProjectedExhaustion);
    }
}
