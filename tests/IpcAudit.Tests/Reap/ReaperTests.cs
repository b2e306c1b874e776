using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Proc;
using IpcAudit.Store;
using IpcAudit.Report.Model;
using IpcAudit.Report.Reap;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Reap;

/// <summary>The reaper's decisions without a kernel: a fake that answers IPC_STAT from a table and records IPC_RMID.</summary>
public sealed class ReaperTests
{
    private sealed class FakeKernel : IIpcObjectControl
    {
        public Dictionary<(string, int), IpcObjectStat> Objects { get; } = [];
        public Dictionary<int, Semaphore[]> Semaphores { get; } = [];
        public List<(string Kind, int Id)> Removed { get; } = [];

        public SyscallResult<IpcObjectStat> Stat(string kind, int id) =>
            Objects.TryGetValue((kind, id), out var s) ? SyscallResult<IpcObjectStat>.Ok(s) : SyscallResult<IpcObjectStat>.FromErrno(Errno.EINVAL);

        public SyscallResult<Semaphore[]> ReadSemaphores(int semid, int nsems) => SyscallResult<Semaphore[]>.Ok(Semaphores[semid]);

        public SyscallResult<bool> Remove(string kind, int id)
        {
            Removed.Add((kind, id));
            return Objects.Remove((kind, id)) ? SyscallResult<bool>.Ok(true) : SyscallResult<bool>.FromErrno(Errno.EINVAL);
        }
    }

    private static readonly ShmSegment Segment = SyntheticSnapshots.Shm(7);
    private static readonly SemArray Array = SyntheticSnapshots.Sem(8);

    private static IpcObjectStat StatOf(ShmSegment s) => new()
    {
        Key = s.Key, Mode = s.Mode, Uid = s.Uid, Ctime = s.Ctime?.ToUnixTimeSeconds(), Size = s.Bytes, Nattch = s.Nattch, Cpid = s.Cpid,
        Lpid = s.Lpid, Atime = s.Atime?.ToUnixTimeSeconds(), Dtime = s.Dtime?.ToUnixTimeSeconds(),
    };

    private static IpcObjectStat StatOf(SemArray s) => new()
    {
        Key = s.Key, Mode = s.Mode, Uid = s.Uid, Ctime = s.Ctime?.ToUnixTimeSeconds(), Nsems = s.Nsems, Otime = s.Otime?.ToUnixTimeSeconds(),
    };

    private static OrphanFinding Finding(string kind, int id, string verdict = Verdict.Orphan, uint owner = 1000) => new()
    {
        Verdict = verdict, Host = "web1", Kind = kind, Id = id, Key = "0x00000000", Owner = owner, Bytes = 0,
        FirstSeen = SyntheticSnapshots.T0, UnusedSince = SyntheticSnapshots.T0, AgeSeconds = 86400, Reason = "test",
        Evidence = ["every process that used it is gone"], Missing = verdict == Verdict.Idle ? ["a holder may live"] : [],
    };

    private static (FakeKernel Kernel, List<(ReapItem, string)> Log, Reaper Reaper) Setup(Action<string, int>? hook = null)
    {
        var kernel = new FakeKernel();
        kernel.Objects[("shm", 7)] = StatOf(Segment);
        kernel.Objects[("sem", 8)] = StatOf(Array);
        kernel.Semaphores[8] = [.. Array.Semaphores!];
        var log = new List<(ReapItem, string)>();
        return (kernel, log, new Reaper(kernel, (item, outcome) => log.Add((item, outcome)), hook));
    }

    private static Snapshot Decided => SyntheticSnapshots.Build(SyntheticSnapshots.T0, shm: [Segment], sem: [Array]);

    [Fact]
    public void ADryRunRemovesNothingAndRecordsNothing()
    {
        var (kernel, log, reaper) = Setup();
        var result = reaper.Run(Decided, [Finding("shm", 7), Finding("sem", 8)], [], ReapFilter.All, remove: false);
        Assert.Equal(2, result.WouldRemove.Count);
        Assert.Empty(kernel.Removed);
        Assert.Empty(log);
    }

    [Fact]
    public void OnlyOrphansThatPassTheFiltersAreRemovedAndIdleOnesAreKept()
    {
        var (kernel, log, reaper) = Setup();
        var idle = Finding("sem", 8, Verdict.Idle);
        var result = reaper.Run(Decided, [Finding("shm", 7), Finding("sem", 8, owner: 0)], [idle],
            new ReapFilter(new HashSet<string>(), 1000, new HashSet<int>()), remove: true);
        Assert.Equal([("shm", 7)], kernel.Removed);
        Assert.Equal(ReapLog.Removed, Assert.Single(log).Item2);
        Assert.Equal("a holder may live", Assert.Single(result.Kept).Reason);
    }

    [Fact]
    public void AnIdleFindingIsNeverRemovedEvenIfPassedAsAnOrphanCandidate()
    {
        var (kernel, _, reaper) = Setup();
        reaper.Run(Decided, [Finding("shm", 7, Verdict.Idle)], [], ReapFilter.All, remove: true);
        Assert.Empty(kernel.Removed);
    }

    [Fact]
    public void ASegmentAttachedAfterTheDecisionIsSkipped()
    {
        FakeKernel? k = null;
        var (kernel, log, reaper) = Setup((kind, id) => k!.Objects[(kind, id)] = k.Objects[(kind, id)] with { Nattch = 1, Lpid = 999, Atime = 1 });
        k = kernel;
        var result = reaper.Run(Decided, [Finding("shm", 7)], [], ReapFilter.All, remove: true);
        Assert.Empty(kernel.Removed);
        Assert.StartsWith("attached now (1 attachment)", Assert.Single(result.Skipped).Reason);
        Assert.Equal(ReapLog.Skipped, Assert.Single(log).Item2);
    }

    [Fact]
    public void AnIdHeldByANewObjectIsSkipped()
    {
        FakeKernel? k = null;
        var (kernel, _, reaper) = Setup((kind, id) => k!.Objects[(kind, id)] = k.Objects[(kind, id)] with { Key = 0x57, Ctime = 1_900_000_000 });
        k = kernel;
        var result = reaper.Run(Decided, [Finding("shm", 7)], [], ReapFilter.All, remove: true);
        Assert.Empty(kernel.Removed);
        Assert.StartsWith("another object holds the id now (key 0x00000057", Assert.Single(result.Skipped).Reason);
    }

    [Fact]
    public void ASemaphoreWithAWaiterOrANewValueIsSkipped()
    {
        var (kernel, _, reaper) = Setup();
        kernel.Semaphores[8] = [new Semaphore(0, 1, 1, 0, 200), Array.Semaphores![1]];
        var waited = reaper.Run(Decided, [Finding("sem", 8)], [], ReapFilter.All, remove: true);
        Assert.Equal("a process waits on semaphore 0 now", Assert.Single(waited.Skipped).Reason);

        kernel.Semaphores[8] = [new Semaphore(0, 0, 0, 0, 4321), Array.Semaphores![1]];
        var changed = reaper.Run(Decided, [Finding("sem", 8)], [], ReapFilter.All, remove: true);
        Assert.StartsWith("semaphore 0 changed since the snapshot", Assert.Single(changed.Skipped).Reason);
        Assert.Empty(kernel.Removed);
    }

    [Fact]
    public void AnObjectGoneBeforeTheReReadIsSkippedNotFailed()
    {
        var (kernel, _, reaper) = Setup((kind, id) => { });
        kernel.Objects.Remove(("shm", 7));
        var result = reaper.Run(Decided, [Finding("shm", 7)], [], ReapFilter.All, remove: true);
        Assert.StartsWith("gone already", Assert.Single(result.Skipped).Reason);
        Assert.Empty(result.Failed);
    }

    [Fact]
    public void PasswdNamesMapToUidsAndBadLinesAreSkipped()
    {
        var uids = PasswdFile.ParseUidsByName("root:x:0:0:root:/root:/bin/bash\n# comment\n+nis::::::\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\nbroken:x:notanumber:1::/:/bin/sh\nwww-data:x:99:99::/:/bin/sh\n");
        Assert.Equal(0u, uids["root"]);
        Assert.Equal(33u, uids["www-data"]);
        Assert.False(uids.ContainsKey("broken"));
        Assert.Equal(2, uids.Count);
    }
}
