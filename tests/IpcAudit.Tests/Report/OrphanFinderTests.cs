using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

public sealed class OrphanFinderTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);

    [Fact]
    public void LeakedSegmentIsAnOrphanAgedFromItsFirstSnapshot()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(7, bytes: 1 << 20, cpid: 100)]));

        var orphan = Assert.Single(_history.Report(-1, 31).Orphans);

        Assert.Equal(("web1", "shm", 7, "0x00001007", 1000u, 1UL << 20), (orphan.Host, orphan.Kind, orphan.Id, orphan.Key, orphan.Owner, orphan.Bytes));
        Assert.Equal(H(0), orphan.OrphanedSince);
        Assert.Equal(H(0), orphan.FirstSeen);
        Assert.Equal(30 * 3600, orphan.AgeSeconds);
        Assert.Equal((100, false), (orphan.CreatorPid, orphan.CreatorAlive));
        Assert.Equal("ipcrm -m 7", orphan.SuggestedCommand);
        Assert.Contains("creator and last user 100 gone", orphan.Reason);
        Assert.Contains("kernel.shm_rmid_forced=1 would have destroyed it", orphan.Reason);
    }

    [Fact]
    public void AttachedSegmentIsNeverAnOrphanEvenWhenItsCreatorIsDead()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            shm: [Shm(1, cpid: 100, nattch: 1, attached: [200]) with { Lpid = 200 }, Shm(2, cpid: 100)],
            processes: [Alive(200)]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(2, orphan.Id);
    }

    [Fact]
    public void SegmentMarkedForDestructionIsNeverAnOrphan()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(3, cpid: 100) with { Mode = 0x200 | 0x1B6, Key = 0 }]));

        Assert.Empty(_history.Report(-1, 31, OneHour).Orphans);
    }

    [Fact]
    public void LiveCreatorKeepsAnUnattachedSegmentFromBeingAnOrphan()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(4, cpid: 100)], processes: [Alive(100)]));

        Assert.Empty(_history.Report(-1, 31, OneHour).Orphans);
    }

    [Fact]
    public void ReusedPidDoesNotKeepASegmentAlive()
    {
        // pid 100 now belongs to a process started after the segment was created: not its creator.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(5, cpid: 100)], processes: [Alive(100, started: T0)]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.False(orphan.CreatorAlive);
        Assert.Contains("pid now reused", orphan.Reason);
    }

    [Fact]
    public void ProcessStartedWithinTwoSecondsOfTheSegmentCountsAsItsCreator()
    {
        // btime jitter: /proc start times move by up to a second or so; the creator must not look reused.
        var ctime = T0.AddDays(-1);
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(6, cpid: 100)], processes: [Alive(100, started: ctime.AddMilliseconds(1500))]));

        Assert.Empty(_history.Report(-1, 31, OneHour).Orphans);
    }

    [Fact]
    public void SemaphoreArrayWithALiveWaiterIsNeverAnOrphan()
    {
        var waited = Sem(1, nsems: 2) with { Semaphores = [new Semaphore(0, 0, 1, 0, 300), new Semaphore(1, 1, 0, 0, 300)] };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [waited, Sem(2)]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(("sem", 2, 0UL), (orphan.Kind, orphan.Id, orphan.Bytes));
        Assert.Equal("ipcrm -s 2", orphan.SuggestedCommand);
        Assert.Contains("no waiters", orphan.Reason);
    }

    [Fact]
    public void SemaphoreArrayTouchedByALiveProcessIsNotAnOrphan()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [Sem(1)], processes: [Alive(200)]));

        Assert.Empty(_history.Report(-1, 31, OneHour).Orphans);
    }

    [Fact]
    public void QueueHoldingMessagesThatNobodyAliveReadsIsAnOrphan()
    {
        // Msg(): lspid 300, lrpid 0. Queue 1 has messages and no reader; queue 2 is empty; queue 3's reader lives.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            msg: [Msg(1, qnum: 4), Msg(2), Msg(3, qnum: 2) with { Lrpid = 400, Rtime = T0 }],
            processes: [Alive(400)]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(("msg", 1, 400UL, 300), (orphan.Kind, orphan.Id, orphan.Bytes, orphan.CreatorPid));
        Assert.Equal("ipcrm -q 1", orphan.SuggestedCommand);
        Assert.Contains("4 messages", orphan.Reason);
        Assert.Contains("nothing ever received", orphan.Reason);
    }

    [Fact]
    public void AgeRestartsWhenTheSegmentIsUsedAgain()
    {
        // Orphaned from hour 0, attached by a live process at hours 10-11, orphaned again from hour 12.
        _history.SaveHourly(Hours(0, 40), h => h is 10 or 11
            ? Build(H(h), shm: [Shm(1, cpid: 100, nattch: 1, attached: [500]) with { Lpid = 500, Atime = H(10) }], processes: [Alive(500)])
            : h < 10
                ? Build(H(h), shm: [Shm(1, cpid: 100)])
                : Build(H(h), shm: [Shm(1, cpid: 100) with { Lpid = 500, Atime = H(10), Dtime = H(11.5) }]));

        var orphan = Assert.Single(_history.Report(-1, 41, OneHour).Orphans);
        Assert.Equal(H(12), orphan.OrphanedSince);
        Assert.Equal(28 * 3600, orphan.AgeSeconds);
    }

    [Fact]
    public void RebootEndsEveryRun()
    {
        // Same id and key before and after a reboot: a different object; age counts from the new boot.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 100), Shm(2, cpid: 100)],
            host: h < 20 ? Host() : Host(boot: "boot-b")));

        var orphans = _history.Report(-1, 31, OneHour).Orphans;

        Assert.Equal([1, 2], orphans.Select(o => o.Id).Order());
        Assert.All(orphans, o => Assert.Equal(H(20), o.OrphanedSince));
        Assert.All(orphans, o => Assert.Equal(10 * 3600, o.AgeSeconds));
    }

    [Fact]
    public void OrphanYoungerThanTheThresholdIsNotReported()
    {
        _history.SaveHourly(Hours(0, 24), h => Build(H(h), shm: [Shm(1, cpid: 100)]));

        Assert.Single(_history.Report(-1, 25, TimeSpan.FromHours(24)).Orphans);
        Assert.Empty(_history.Report(-1, 25, TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1)).Orphans);
    }

    [Fact]
    public void SnapshotWithUnknownLivenessNeitherBreaksNorStartsARun()
    {
        // The creator is alive (hours 0-4); liveness is unknown at hours 5-6; known dead from hour 7.
        // Then: unknown at hour 20, which must not break the run that began at 7.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 100)],
            processes: h < 5 ? [Alive(100)] : [],
            failedSteps: h is 5 or 6 or 20 ? ["processes"] : null));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(H(7), orphan.OrphanedSince);
    }

    [Fact]
    public void OrphanThatBeganBeforeTheWindowIsAgedFromHistory()
    {
        _history.SaveHourly(Hours(0, 100), h => Build(H(h), shm: [Shm(1, cpid: 100)], sem: [Sem(1)],
            processes: h < 3 ? [Alive(100)] : []));

        var orphans = _history.Report(90, 101, OneHour).Orphans;

        Assert.Equal(H(3), orphans.Single(o => o.Kind == IpcKind.Shm).OrphanedSince);
        Assert.Equal(H(0), orphans.Single(o => o.Kind == IpcKind.Sem).OrphanedSince);
        Assert.All(orphans, o => Assert.Equal(H(0), o.FirstSeen));
    }

    [Fact]
    public void ObjectRemovedBeforeTheLastSnapshotIsNotAnOrphan()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: h < 29 ? [Shm(1, cpid: 100)] : []));

        Assert.Empty(_history.Report(-1, 31, OneHour).Orphans);
    }

    [Fact]
    public void OrphansAreRankedByBytesTimesAge()
    {
        // 1 MiB for 30 h beats 64 KiB for 30 h; 16 MiB for 2 h (32 MiB·h) beats 1 MiB for 30 h (30 MiB·h).
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            shm: [Shm(1, bytes: 64 << 10, cpid: 100), Shm(2, bytes: 1 << 20, cpid: 100), .. h >= 28 ? [Shm(3, bytes: 16 << 20, cpid: 100)] : Array.Empty<ShmSegment>()]));

        Assert.Equal([3, 2, 1], _history.Report(-1, 31, OneHour).Orphans.Select(o => o.Id));
    }

    [Fact]
    public void ShmRmidForcedSetNowIsNamedInTheReason()
    {
        var limits = Build(T0).Limits with { ShmRmidForced = 1 };
        _history.SaveHourly(Hours(0, 3), h => Build(H(h), shm: [Shm(1, cpid: 100)], limits: limits));

        Assert.Contains("kernel.shm_rmid_forced=1 is set now", Assert.Single(_history.Report(-1, 4, OneHour).Orphans).Reason);
    }

    [Fact]
    public void ManyOrphanedPrivateOneSemaphoreArraysOfOneOwnerAreCalledAPerRestartLeak()
    {
        var arrays = Enumerable.Range(1, 3).Select(i => Sem(i, nsems: 1) with { Key = 0, Uid = 33 }).ToArray();
        _history.SaveHourly(Hours(0, 3), h => Build(H(h), sem: arrays));

        var orphans = _history.Report(-1, 4, OneHour).Orphans;

        Assert.Equal(3, orphans.Count);
        Assert.All(orphans, o => Assert.Contains("one of 3 orphaned private one-semaphore arrays of uid 33", o.Reason));
    }

    [Fact]
    public void HostFilterLimitsOrphansToThatHost()
    {
        _history.SaveHourly(Hours(0, 3), h => Build(H(h), shm: [Shm(1, cpid: 100)]));
        _history.SaveHourly(Hours(0, 3), h => Build(H(h), shm: [Shm(2, cpid: 100)], host: Host("db1")));

        Assert.Equal(2, _history.Report(-1, 4, OneHour).Orphans.Count);
        Assert.Equal("db1", Assert.Single(_history.Report(-1, 4, OneHour, "db1").Orphans).Host);
    }
}
