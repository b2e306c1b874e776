using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

public sealed class GrowthAndChurnTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    [Fact]
    public void LeastSquaresSlopeIsExactOnALine()
    {
        var times = Enumerable.Range(0, 10).Select(i => T0.AddHours(6 * i).ToUnixTimeMilliseconds()).ToArray();
        Assert.Equal(12.0, LeastSquares.SlopePerDay(times, i => 100 + 3 * i), 9);
        Assert.Equal(0.0, LeastSquares.SlopePerDay(times[..1], _ => 5));
    }

    [Fact]
    public void GrowthOfALinearLeakHasItsExactSlopeAndCounts()
    {
        // One more 1 MiB segment of uid 1000 every hour for a day, beside a steady one of uid 0.
        _history.SaveHourly(Hours(0, 24), h => Build(H(h),
            shm: [Shm(1000, bytes: 4096) with { Uid = 0 }, .. Enumerable.Range(0, (int)h + 1).Select(i => Shm(i, bytes: 1 << 20))]));

        var growth = _history.Report(-1, 25).Growth;
        var leak = growth.Single(g => g.Owner == 1000);
        var steady = growth.Single(g => g.Owner == 0);

        Assert.Equal((IpcKind.Shm, 1L, 25L, 1UL << 20, 25UL << 20), (leak.Kind, leak.StartCount, leak.EndCount, leak.StartBytes, leak.EndBytes));
        Assert.Equal(24.0, leak.CountSlopePerDay, 9);
        Assert.Equal(24.0 * (1 << 20), leak.BytesSlopePerDay, 3);
        Assert.Equal((24L, 0L), (leak.Created, leak.Removed));
        Assert.Equal((1L, 1L, 0.0, 0L), (steady.StartCount, steady.EndCount, steady.CountSlopePerDay, steady.Created));
    }

    [Fact]
    public void SemaphoreGrowthCountsSemaphoresAsItsSize()
    {
        _history.SaveHourly(Hours(0, 2), h => Build(H(h), sem: Enumerable.Range(0, (int)h + 1).Select(i => Sem(i, nsems: 4)).ToList()));

        var sem = Assert.Single(_history.Report(-1, 3).Growth);
        Assert.Equal((IpcKind.Sem, 4UL, 12UL), (sem.Kind, sem.StartBytes, sem.EndBytes));
    }

    [Fact]
    public void OwnerChangeMovesAnObjectBetweenGrowthRows()
    {
        _history.SaveHourly(Hours(0, 4), h => Build(H(h), shm: [Shm(1) with { Uid = h < 2 ? 1000u : 2000u }]));

        var growth = _history.Report(-1, 5).Growth;

        Assert.Equal((1L, 0L), growth.Where(g => g.Owner == 1000).Select(g => (g.StartCount, g.EndCount)).Single());
        Assert.Equal((0L, 1L), growth.Where(g => g.Owner == 2000).Select(g => (g.StartCount, g.EndCount)).Single());
    }

    [Fact]
    public void ChurnCountsObjectsCreatedAndRemovedInsideTheWindowOnly()
    {
        // Present at the start: not created. Two created later, one of them removed; one removed that was there at the start.
        _history.Save(
            Build(H(0), shm: [Shm(1), Shm(2)]),
            Build(H(1), shm: [Shm(1), Shm(2), Shm(3)]),
            Build(H(2), shm: [Shm(1), Shm(3), Shm(4)]),
            Build(H(3), shm: [Shm(1), Shm(4)]));

        var churn = _history.Report(-1, 4).Churn.Single(c => c.Kind == IpcKind.Shm);
        var growth = _history.Report(-1, 4).Growth.Single();

        Assert.Equal((2L, 2L), (churn.Created, churn.Removed));
        Assert.Equal(growth.StartCount + growth.Created - growth.Removed, growth.EndCount);
    }

    [Fact]
    public void ObjectsThatVanishWhileAUserLivesAreTheRemoveIpcSignature()
    {
        // Segment 1's creator lives on after it vanished, the last of uid 1000's objects (RemoveIPC); segment 2's creator
        // and the array's last user had exited when theirs went (an ordinary exit), and segment 1 outlived segment 2.
        _history.Save(
            Build(H(0), shm: [Shm(1, cpid: 100), Shm(2, cpid: 200)], sem: [Sem(1)], processes: [Alive(100), Alive(200)]),
            Build(H(1), shm: [Shm(1, cpid: 100)], sem: [Sem(1)], processes: [Alive(100)]),
            Build(H(2), processes: [Alive(100)]));

        var churn = _history.Report(-1, 3).Churn.ToDictionary(c => c.Kind);

        Assert.Equal((2L, 1L), (churn[IpcKind.Shm].Removed, churn[IpcKind.Shm].VanishedWhileUsed));
        Assert.Equal((1L, 0L), (churn[IpcKind.Sem].Removed, churn[IpcKind.Sem].VanishedWhileUsed));
    }

    private long VanishedShm() => _history.Report(-1, 3).Churn.Single(c => c.Kind == IpcKind.Shm).VanishedWhileUsed;

    [Fact]
    public void RemovalUnderALiveSystemUidIsAPlainRemoval()
    {
        // logind never cleans up a system uid (<= SYS_UID_MAX, 999 when login.defs is unknown): a live postgres (uid 110)
        // whose segment vanished removed it itself, or an administrator did.
        _history.Save(
            Build(H(0), shm: [Shm(1, cpid: 100) with { Uid = 110 }], processes: [Alive(100)]),
            Build(H(1), processes: [Alive(100)]));

        var shm = _history.Report(-1, 2).Churn.Single(c => c.Kind == IpcKind.Shm);

        Assert.Equal((1L, 0L), (shm.Removed, shm.VanishedWhileUsed));
        Assert.Equal((999u, true), (shm.SysUidMax, shm.SysUidMaxAssumed));
    }

    [Fact]
    public void SysUidMaxFromTheHostsLoginDefsDecidesWhichUidsAreSystemAccounts()
    {
        // This host's login.defs says SYS_UID_MAX 99: uid 110 is a regular user there, so logind would clean it up.
        var host = Host() with { SysUidMax = 99 };
        _history.Save(
            Build(H(0), host: host, shm: [Shm(1, cpid: 100) with { Uid = 110 }], processes: [Alive(100)]),
            Build(H(1), host: host, processes: [Alive(100)]));

        var shm = _history.Report(-1, 2).Churn.Single(c => c.Kind == IpcKind.Shm);

        Assert.Equal((1L, 1L), (shm.Removed, shm.VanishedWhileUsed));
        Assert.Equal((99u, false), (shm.SysUidMax, shm.SysUidMaxAssumed));
    }

    [Fact]
    public void ASegmentAttachedJustBeforeItVanishedWasNotRemovedByLogind()
    {
        // clean_ipc() skips segments with attachments: this one was attached by live 100 at the last snapshot before.
        _history.Save(
            Build(H(0), shm: [Shm(1, cpid: 100, nattch: 1, attached: [100])], processes: [Alive(100)]),
            Build(H(1), shm: [Shm(1, cpid: 100, nattch: 1, attached: [100])], processes: [Alive(100)]),
            Build(H(2), processes: [Alive(100)]));

        Assert.Equal(0, VanishedShm());
    }

    [Fact]
    public void WhenTheUidKeepsOtherObjectsTheRemovalIsPlain()
    {
        // logind removes every object of the uid at once; here uid 1000's array lives on after its segment went.
        _history.Save(
            Build(H(0), shm: [Shm(1, cpid: 100)], sem: [Sem(1) with { Uid = 1000 }], processes: [Alive(100)]),
            Build(H(1), shm: [Shm(1, cpid: 100)], sem: [Sem(1) with { Uid = 1000 }], processes: [Alive(100)]),
            Build(H(2), sem: [Sem(1) with { Uid = 1000 }], processes: [Alive(100)]));

        Assert.Equal(0, VanishedShm());
    }

    [Fact]
    public void AllOfTheUidsObjectsGoneButAnAttachedSegmentIsTheRemoveIpcSignature()
    {
        // Segment 1 (unattached) and the array went in the same interval; segment 2 stayed because it was attached,
        // exactly what clean_ipc() leaves behind.
        Snapshot At(double h, bool before) => Build(H(h),
            shm: before ? [Shm(1, cpid: 100), Shm(2, cpid: 100, nattch: 1, attached: [100])] : [Shm(2, cpid: 100, nattch: 1, attached: [100])],
            sem: before ? [Sem(1) with { Uid = 1000 }] : [], processes: [Alive(100)]);
        _history.Save(At(0, before: true), At(1, before: true), At(2, before: false));

        var churn = _history.Report(-1, 3).Churn.ToDictionary(c => c.Kind);

        Assert.Equal((1L, 1L), (churn[IpcKind.Shm].Removed, churn[IpcKind.Shm].VanishedWhileUsed));
        Assert.Equal((1L, 0L), (churn[IpcKind.Sem].Removed, churn[IpcKind.Sem].VanishedWhileUsed)); // its last pid 200 was dead
    }

    [Fact]
    public void RemovalAtASnapshotWithoutLivenessIsNotCalledVanishedWhileUsed()
    {
        _history.Save(
            Build(H(0), shm: [Shm(1, cpid: 100)], processes: [Alive(100)]),
            Build(H(1), shm: [], processes: [Alive(100)], failedSteps: ["processes"]));

        var shm = _history.Report(-1, 2).Churn.Single(c => c.Kind == IpcKind.Shm);

        Assert.Equal((1L, 0L), (shm.Removed, shm.VanishedWhileUsed));
    }

    [Fact]
    public void RebootRemovesTheOldBootsObjectsAndTheNewBootCreatesItsOwn()
    {
        _history.Save(
            Build(H(0), shm: [Shm(1), Shm(2)]),
            Build(H(1), shm: [Shm(1), Shm(2)]),
            Build(H(2), shm: [Shm(1)], host: Host(boot: "boot-b")),
            Build(H(3), shm: [Shm(1)], host: Host(boot: "boot-b")));

        var doc = _history.Report(-1, 4);
        var churn = doc.Churn.Single(c => c.Kind == IpcKind.Shm);
        var growth = doc.Growth.Single();

        Assert.Equal((1L, 2L, 0L), (churn.Created, churn.Removed, churn.VanishedWhileUsed));
        Assert.Equal((2L, 1L), (growth.StartCount, growth.EndCount));
        Assert.Equal("web1", Assert.Single(doc.Series).Host);
        Assert.Equal(4, doc.Series[0].Points.Count);
    }

    [Fact]
    public void SeriesHasOnePointPerSnapshotWithCountsAndSizes()
    {
        _history.SaveHourly(Hours(0, 2), h => Build(H(h), shm: [Shm(1, bytes: 100)], sem: [Sem(1, nsems: 3)], msg: [Msg(1, qnum: (ulong)h)]));

        var points = Assert.Single(_history.Report(-1, 3).Series).Points;

        Assert.Equal(3, points.Count);
        Assert.Equal(new SeriesPoint(H(2), 1, 1, 1, 100, 3, 200), points[2]);
    }
}
