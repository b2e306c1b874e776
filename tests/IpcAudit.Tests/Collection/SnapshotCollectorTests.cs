using IpcAudit.Collector.Collection;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Collection;

/// <summary>The collector's step logic with a scripted kernel: races and refusals it must survive.</summary>
public sealed class SnapshotCollectorTests
{
    /// <summary>A kernel whose answers the test chooses, per object id.</summary>
    private sealed class ScriptedSyscalls(Func<int, SyscallStatus> sem, Func<int, SyscallStatus> msg) : IIpcSyscalls
    {
        public SyscallResult<Semaphore[]> ReadSemaphores(int semid, int nsems) => sem(semid) switch
        {
            SyscallStatus.Ok => SyscallResult<Semaphore[]>.Ok(Enumerable.Range(0, nsems).Select(n => new Semaphore(n, 1, 0, 0, 42)).ToArray()),
            SyscallStatus.Gone => SyscallResult<Semaphore[]>.FromErrno(Errno.EIDRM),
            _ => SyscallResult<Semaphore[]>.FromErrno(Errno.EACCES),
        };

        public SyscallResult<ulong> ReadQueueCapacity(int msqid) => msg(msqid) switch
        {
            SyscallStatus.Ok => SyscallResult<ulong>.Ok(16384),
            SyscallStatus.Gone => SyscallResult<ulong>.FromErrno(Errno.EINVAL),
            _ => SyscallResult<ulong>.FromErrno(Errno.EACCES),
        };

        public SyscallResult<IpcUsage> ReadUsage() => SyscallResult<IpcUsage>.Ok(new IpcUsage { ShmSegments = 5 });
    }

    private static Snapshot Collect(IIpcSyscalls kernel) =>
        new SnapshotCollector(new ProcRoot(TestPaths.ProcFixture("modern")), kernel,
            new CollectorOptions { At = SyntheticSnapshots.T0 }).Collect();

    [Fact]
    public void ArrayRemovedBetweenListingAndStatIsRecordedAsGoneNotFatal()
    {
        var snap = Collect(new ScriptedSyscalls(sem: id => id == 0 ? SyscallStatus.Gone : SyscallStatus.Ok, msg: _ => SyscallStatus.Ok));
        var gone = snap.Sem.Single(s => s.Id == 0);
        Assert.True(gone.Vanished);
        Assert.Null(gone.Semaphores);
        Assert.All(snap.Sem.Where(s => s.Id != 0), s => Assert.NotNull(s.Semaphores));
        var step = snap.Steps.Single(s => s.Name == "sem-values");
        Assert.True(step.Succeeded);
        Assert.Contains("1 arrays vanished during collection", step.Note);
    }

    [Fact]
    public void QueueRemovedMidCollectionIsRecordedAsGone()
    {
        var snap = Collect(new ScriptedSyscalls(sem: _ => SyscallStatus.Ok, msg: _ => SyscallStatus.Gone));
        Assert.All(snap.Msg, q => Assert.True(q.Vanished));
        Assert.All(snap.Msg, q => Assert.Null(q.Qbytes));
    }

    [Fact]
    public void RefusedValuesAreUnknownAndTheStepSaysWhy()
    {
        var snap = Collect(new ScriptedSyscalls(sem: _ => SyscallStatus.PermissionDenied, msg: _ => SyscallStatus.PermissionDenied));
        Assert.All(snap.Sem, s => Assert.Null(s.Semaphores));
        Assert.All(snap.Sem, s => Assert.False(s.Vanished));
        var step = snap.Steps.Single(s => s.Name == "sem-values");
        Assert.False(step.Succeeded);
        Assert.Contains("permission denied", step.Note);
    }

    [Fact]
    public void EveryStepIsTimedInCollectionOrder()
    {
        var snap = Collect(new ScriptedSyscalls(_ => SyscallStatus.Ok, _ => SyscallStatus.Ok));
        Assert.Equal(["host", "limits", "shm", "sem", "msg", "sem-values", "msg-qbytes", "attachments", "usage", "processes", "names"],
            snap.Steps.Select(s => s.Name));
        Assert.All(snap.Steps, s => Assert.True(s.Duration >= TimeSpan.Zero));
        Assert.Equal(5, snap.Usage.ShmSegments);
    }

    [Fact]
    public void AttachmentScanIsSkippedAsNotNeededWhenNoSegmentIsAttached()
    {
        using var dir = new TempDirectory();
        var root = ProcTreeBuilder.Create(dir.File("proc"), 3);
        // A process whose maps name shmid 0: its pid shows up only if the maps are read.
        Directory.CreateDirectory(Path.Combine(root, "4242"));
        File.WriteAllText(Path.Combine(root, "4242", "maps"),
            "7f5e1c000000-7f5e1c010000 rw-s 00000000 00:01 0                          /SYSV000003e8 (deleted)\n");
        SnapshotCollector Collector() => new(new ProcRoot(root), new UnavailableIpcSyscalls(), new CollectorOptions { At = SyntheticSnapshots.T0 });

        var idle = Collector().Collect();
        var skipped = Assert.Single(idle.Steps, s => s.Name == "attachments");
        Assert.True(skipped.Succeeded);
        Assert.Equal(SnapshotCollector.SkippedNoAttachments, skipped.Note);
        Assert.All(idle.Shm, s => { Assert.NotNull(s.AttachedPids); Assert.Empty(s.AttachedPids); });

        // Segment 0 with nattch 1: now the maps are read and name the attacher.
        var shm = Path.Combine(root, "sysvipc", "shm");
        var lines = File.ReadAllLines(shm);
        var cols = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        cols[6] = "1";
        lines[1] = string.Join(' ', cols);
        File.WriteAllLines(shm, lines);
        var attached = Collector().Collect();
        var scanned = Assert.Single(attached.Steps, s => s.Name == "attachments");
        Assert.True(scanned.Succeeded);
        Assert.Null(scanned.Note);
        Assert.Equal([4242], attached.Shm.Single(s => s.Id == 0).AttachedPids);
    }
}
