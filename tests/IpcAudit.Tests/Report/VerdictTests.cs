using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

public sealed class VerdictTests : IDisposable
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
        Assert.Equal(Verdict.Orphan, orphan.Verdict);
        Assert.Contains("every process that used it is gone", orphan.Reason);
        Assert.Contains(orphan.Evidence, e => e.StartsWith("creator pid 100 (operation ", StringComparison.Ordinal) && e.Contains("never seen alive"));
        Assert.Contains(orphan.Evidence, e => e == "no live process of uid 1000 started before it was created (2026-10-31T00:00:00Z)");
        Assert.Contains(orphan.Evidence, e => e.StartsWith("setting kernel.shm_rmid_forced=1 in this IPC namespace would destroy it at once", StringComparison.Ordinal));
        Assert.Empty(orphan.Missing);
    }

    [Fact]
    public void AttachedSegmentIsNeverAnOrphanEvenWhenItsCreatorIsDead()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            shm: [Shm(1, cpid: 100, nattch: 1, attached: [200]) with { Lpid = 200 }, Shm(2, cpid: 100)],
            processes: [Alive(200, started: T0)]));

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
        Assert.Contains(orphan.Evidence, e => e.Contains("the pid is now held by a later process"));
    }

    [Fact]
    public void ProcessStartedWithinTwoSecondsOfTheSegmentCountsAsItsCreator()
    {
        // btime jitter: /proc start times move by up to a second or so; the creator must not look reused.
        var ctime = T0.AddDays(-1);
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(6, cpid: 100)], processes: [Alive(100, started: ctime.AddMilliseconds(1500))]));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        Assert.Empty(report.Idle);
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

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        Assert.Empty(report.Idle);
    }

    [Fact]
    public void QueueWhoseUsersAreAllGoneIsAnOrphanWithMessagesOrEmpty()
    {
        // Msg(): lspid 300, lrpid 0. Queue 1 has messages and no reader; queue 2 is empty (it still holds
        // an MSGMNI slot); queue 3's reader lives.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            msg: [Msg(1, qnum: 4), Msg(2), Msg(3, qnum: 2) with { Lrpid = 400, Rtime = T0 }],
            processes: [Alive(400)]));

        var orphans = _history.Report(-1, 31, OneHour).Orphans;
        Assert.Equal([1, 2], orphans.Select(o => o.Id));
        var backlog = orphans[0];
        Assert.Equal(("msg", 1, 400UL, 300), (backlog.Kind, backlog.Id, backlog.Bytes, backlog.CreatorPid));
        Assert.Equal("ipcrm -q 1", backlog.SuggestedCommand);
        Assert.Contains("4 messages", backlog.Reason);
        Assert.Contains(backlog.Evidence, e => e.StartsWith("sender pid 300", StringComparison.Ordinal));
        Assert.Contains("empty queue", orphans[1].Reason);
        Assert.Equal("ipcrm -q 2", orphans[1].SuggestedCommand);
    }

    [Fact]
    public void AgeRestartsWhenTheSegmentIsUsedAgain()
    {
        // Orphaned from hour 0, attached by a live process at hours 10-11, orphaned again from hour 12.
        _history.SaveHourly(Hours(0, 40), h => h is 10 or 11
            ? Build(H(h), shm: [Shm(1, cpid: 100, nattch: 1, attached: [500]) with { Lpid = 500, Atime = H(10) }], processes: [Alive(500, started: H(9.5))])
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

        Assert.Contains(Assert.Single(_history.Report(-1, 4, OneHour).Orphans).Evidence,
            e => e.StartsWith("kernel.shm_rmid_forced is 1 in this IPC namespace, yet the segment exists", StringComparison.Ordinal));
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

    [Fact]
    public void ArrayNeverOperatedOnIsIdleNeverAnOrphan()
    {
        // Every semaphore's pid is 0: nobody was ever recorded using it, so nothing shows its holder gone.
        var untouched = Sem(1) with { Otime = null, Semaphores = [new Semaphore(0, 1, 0, 0, 0), new Semaphore(1, 1, 0, 0, 0)] };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [untouched]));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        var idle = Assert.Single(report.Idle);
        Assert.Equal((Verdict.Idle, "sem", 1, (string?)null), (idle.Verdict, idle.Kind, idle.Id, idle.SuggestedCommand));
        Assert.Null(idle.OrphanedSince);
        Assert.Equal(H(0), idle.UnusedSince);
        Assert.Equal(30 * 3600, idle.AgeSeconds);
        Assert.Contains(idle.Missing, m => m.StartsWith("no process was ever recorded using it", StringComparison.Ordinal));
    }

    [Fact]
    public void LiveProcessOfTheCreatorUidOlderThanTheArrayMakesItIdle()
    {
        // Apache: the master (root) creates the array and chowns it to www-data; children that did the
        // last semop exited between snapshots. The live root process that predates the array may hold it.
        var array = Sem(1, nsems: 1) with { Key = 0, Uid = 33, Cuid = 0 };
        var master = Alive(812, cmdline: "/usr/sbin/apache2 -k start") with { Uid = 0 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [array], processes: [master]));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        var idle = Assert.Single(report.Idle);
        Assert.Contains(idle.Missing, m => m.StartsWith("pid 812 (/usr/sbin/apache2 -k start) of uid 0 is alive and started", StringComparison.Ordinal)
                                          && m.EndsWith("before it was created (2026-10-31T00:00:00Z): it may hold it", StringComparison.Ordinal));
        Assert.Contains(idle.Evidence, e => e.StartsWith("last semop pid 200", StringComparison.Ordinal) && e.Contains("never seen alive"));
    }

    [Fact]
    public void LiveProcessOfTheOwnerStartedAfterTheObjectDoesNotHoldIt()
    {
        var array = Sem(1) with { Uid = 33, Cuid = 33 };
        var later = Alive(900, started: T0.AddHours(-3)) with { Uid = 33 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [array], processes: [later]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Contains(orphan.Evidence, e => e == "no live process of uid 33 started before it was created (2026-10-31T00:00:00Z)");
    }

    [Fact]
    public void ArraySupersededByAnIdenticalNewerOneInUseIsAnOrphanDespiteAnOldRootProcess()
    {
        // A crashed Apache left array 1; the restarted one created array 2 (same owner, size and mode) and
        // uses it. Root processes older than array 1 (sshd, cron) do not hold it: only the owner uid counts.
        var leaked = Sem(1, nsems: 1) with { Key = 0, Uid = 33, Cuid = 0, Ctime = T0.AddDays(-1), Otime = T0.AddHours(-20) };
        var sshd = Alive(700, cmdline: "sshd: /usr/sbin/sshd -D") with { Uid = 0 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h),
            sem: [leaked, Sem(2, nsems: 1) with { Key = 0, Uid = 33, Cuid = 0, Ctime = T0.AddHours(-10), Otime = H(h),
                Semaphores = [new Semaphore(0, (int)h % 2, 0, 0, 5000 + (int)h)] }],
            processes: [sshd]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(1, orphan.Id);
        Assert.Contains(orphan.Evidence, e => e.StartsWith("superseded: array 2, identical (owner, size, mode, private key)", StringComparison.Ordinal));
        Assert.Contains(orphan.Evidence, e => e == "no live process of uid 33 started before it was created (2026-10-31T00:00:00Z)");
        Assert.Empty(_history.Report(-1, 31, OneHour).Idle);
    }

    [Fact]
    public void SegmentAttachedBetweenSnapshotsByAShortJobStaysInUse()
    {
        // An hourly job attaches for a second between snapshots: nattch is 0 at every snapshot, but atime,
        // dtime and lpid move, so the segment is used, not orphaned, whatever the job's pid.
        _history.SaveHourly(Hours(0, 60), h => Build(H(h), shm: [Shm(1, cpid: 100) with
        {
            Lpid = 6000 + (int)h, Atime = H(h - 0.5), Dtime = H(h - 0.5).AddSeconds(1),
        }]));

        var report = _history.Report(-1, 61, TimeSpan.FromHours(2));
        Assert.Empty(report.Orphans);
        Assert.Empty(report.Idle);
    }

    [Fact]
    public void QueueDrainedBetweenSnapshotsStaysInUseAndAgesFromItsLastUse()
    {
        // A consumer drains the queue between snapshots while producers keep it non-empty, until hour 40.
        _history.SaveHourly(Hours(0, 70), h => Build(H(h), msg: [Msg(1, qnum: h < 40 ? 3 + (ulong)h % 2 : 4) with
        {
            Lrpid = h < 40 ? 7000 + (int)h : 7039, Rtime = h < 40 ? H(h - 0.5) : H(39.5), Stime = h < 40 ? H(h - 0.25) : H(39.75),
        }]));

        Assert.Empty(_history.Report(-1, 40.5, OneHour).Orphans);
        var orphan = Assert.Single(_history.Report(-1, 71, OneHour).Orphans);
        Assert.Equal(H(40), orphan.UnusedSince);
        Assert.Equal(H(40), orphan.OrphanedSince);
        Assert.Equal(DateTimeOffset.Parse("2026-11-02T15:45:00Z"), orphan.LastOperation);
    }

    [Fact]
    public void UnknownLivenessAtTheLastSnapshotMakesAnOrphanIdle()
    {
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 100)], failedSteps: h == 30 ? ["processes"] : null));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        Assert.Contains(Assert.Single(report.Idle).Missing, m => m.StartsWith("liveness is unknown at the last snapshot", StringComparison.Ordinal));
    }

    [Fact]
    public void PerRestartLabelCountsOrphansYoungerThanTheThreshold()
    {
        // Three leaked arrays, two of them younger than the threshold: the old one still carries the label.
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem:
        [
            Sem(1, nsems: 1) with { Key = 0, Uid = 33 },
            .. h >= 25 ? [Sem(2, nsems: 1) with { Key = 0, Uid = 33 }, Sem(3, nsems: 1) with { Key = 0, Uid = 33 }] : Array.Empty<SemArray>(),
        ]));

        var orphan = Assert.Single(_history.Report(-1, 31, TimeSpan.FromHours(24)).Orphans);
        Assert.Equal(1, orphan.Id);
        Assert.Contains("one of 3 orphaned private one-semaphore arrays of uid 33", orphan.Reason);
    }

    /// <summary>A live process with its start ticks and parent, as the schema-2 collector records it.</summary>
    private static ProcessInfo Proc(int pid, ulong ticks, int ppid = 1, ulong? parentTicks = null, uint uid = 33, DateTimeOffset? started = null, string? cmdline = null) =>
        Alive(pid, started ?? T0.AddDays(-2).AddSeconds(ticks / 100.0), cmdline) with { Uid = uid, StartTicks = ticks, Ppid = ppid, ParentStartTicks = parentTicks };

    [Fact]
    public void LiveParentOfAPastUserMakesTheArrayIdle()
    {
        // Apache: the master (pid 500) lives; the child 600 that did the last semop was seen alive and exited.
        var master = Proc(500, 1000, uid: 0, cmdline: "/usr/sbin/apache2 -k start");
        var child = Proc(600, 5000, ppid: 500, parentTicks: 1000, started: T0.AddHours(-1));
        var array = Sem(1, nsems: 1) with { Key = 0, Uid = 33, Cuid = 0, Semaphores = [new Semaphore(0, 1, 0, 0, 600)], Otime = T0.AddMinutes(-30) };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [array], processes: h < 2 ? [master, child] : [master]));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        var idle = Assert.Single(report.Idle);
        Assert.Contains(idle.Missing, m => m == "its parent pid 500 (/usr/sbin/apache2 -k start) is alive and may still hold it");
        Assert.Contains(idle.Evidence, e => e.StartsWith("last semop pid 600 (/usr/bin/proc600 --serve) was seen alive from 2026-11-01T00:00:00Z and had exited by 2026-11-01T02:00:00Z", StringComparison.Ordinal));
    }

    [Fact]
    public void KilledParentAndChildrenMakeAnOrphanWhateverRootStillRuns()
    {
        // The whole family was seen and is gone: an old root process (sshd) holds nothing of it.
        var server = Proc(500, 1000, uid: 4242, cmdline: "/usr/bin/server");
        var child = Proc(600, 5000, ppid: 500, parentTicks: 1000, uid: 4242, started: T0.AddHours(-1));
        var sshd = Proc(300, 100, uid: 0, cmdline: "sshd: /usr/sbin/sshd -D");
        var array = Sem(1, nsems: 1) with { Key = 0, Uid = 4242, Cuid = 4242, Semaphores = [new Semaphore(0, 1, 0, 0, 600)], Otime = T0.AddMinutes(-30) };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), sem: [array], processes: h < 3 ? [server, child, sshd] : [sshd]));

        var orphan = Assert.Single(_history.Report(-1, 31, OneHour).Orphans);
        Assert.Equal(H(3), orphan.OrphanedSince);
        Assert.Contains(orphan.Evidence, e => e == "its parent pid 500 (/usr/bin/server) had exited by 2026-11-01T03:00:00Z");
        Assert.DoesNotContain(orphan.Evidence, e => e.StartsWith("no live process of uid", StringComparison.Ordinal));
    }

    [Fact]
    public void AClockStepKeepsALiveCreatorAliveAndItsSegmentInUse()
    {
        // The creator started 5 s before the segment; btime moves by 30 s at hour 10 (an NTP step), so its
        // wall-clock start would read 25 s after the segment, like a later process under a reused pid.
        // Its start ticks do not move: one process, alive, and the segment in use.
        var ctime = T0.AddDays(-1);
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 700)],
            processes: [Proc(700, 4200, uid: 1000, started: ctime.AddSeconds(h < 10 ? -5 : 25))]));

        var report = _history.Report(-1, 31, OneHour);
        Assert.Empty(report.Orphans);
        Assert.Empty(report.Idle);
    }
}
