using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report;

/// <summary>POSIX verdicts on stored history without a kernel: who was seen holding a file, and whether that is known.</summary>
public sealed class PosixVerdictTests : IDisposable
{
    private static readonly DateTimeOffset T0 = SyntheticSnapshots.T0;
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static PosixShmObject File(string name, IReadOnlyList<int>? mapped) => new()
    {
        Name = name, IsSemaphore = false, Inode = (ulong)name.Length, Device = 41, Bytes = 1 << 20, AllocatedBytes = 1 << 20,
        Uid = 116, Gid = 124, Mode = 0x180, Mtime = T0.AddDays(-1), Ctime = T0.AddDays(-1), MappedPids = mapped, OpenPids = mapped is null ? null : [],
    };

    private static readonly ProcessInfo Postgres = SyntheticSnapshots.Postgres(T0.AddDays(-2));

    private static Snapshot At(DateTimeOffset at, IReadOnlyList<PosixShmObject> files, IReadOnlyList<ProcessInfo>? processes = null)
    {
        var s = SyntheticSnapshots.Build(at, processes: processes);
        return s with
        {
            Posix = new PosixIpc { Shm = files, DevshmBytes = 1L << 30, DevshmUsedBytes = 2L << 20 },
            Steps = [.. s.Steps, new CollectionStep("posix-shm", TimeSpan.Zero, true), new CollectionStep("posix-mq", TimeSpan.Zero, true)],
        };
    }

    private ReportDocument Report(params Snapshot[] snapshots)
    {
        var db = SyntheticSnapshots.Stored(_dir.File("a.db"), snapshots);
        return ReportBuilder.Build(db, new ReportRequest(T0.AddDays(-1), T0.AddDays(1), [], TimeSpan.FromHours(1)));
    }

    [Fact]
    public void AFileLastHeldByAKilledPostgresIsAnOrphanNamedAfterIt()
    {
        var doc = Report(
            At(T0, [File("PostgreSQL.1234", [812])], [Postgres]),
            At(T0.AddHours(1), [File("PostgreSQL.1234", [])]),
            At(T0.AddHours(3), [File("PostgreSQL.1234", [])]));
        var o = Assert.Single(doc.Orphans);
        Assert.Equal(("posix_shm", "PostgreSQL.1234", 812), (o.Kind, o.Name, o.CreatorPid!.Value));
        Assert.Contains("last held by postgres (pid 812)", o.Reason);
        Assert.Equal("rm /dev/shm/PostgreSQL.1234", o.SuggestedCommand);
        Assert.Equal(2 * 3600, o.AgeSeconds);
        Assert.Empty(doc.Idle);
    }

    [Fact]
    public void UnknownHoldersAtTheLastSnapshotMakeItIdleNotOrphan()
    {
        var doc = Report(
            At(T0, [File("PostgreSQL.1234", [812])], [Postgres]),
            At(T0.AddHours(1), [File("PostgreSQL.1234", null)]),
            At(T0.AddHours(3), [File("PostgreSQL.1234", null)]));
        Assert.Empty(doc.Orphans);
        var idle = Assert.Single(doc.Idle);
        Assert.Null(idle.SuggestedCommand);
        Assert.Contains(idle.Missing, m => m.Contains("holders were unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void AHolderStillAliveKeepsItInUse()
    {
        var doc = Report(
            At(T0, [File("psm_live", [812])], [Postgres]),
            At(T0.AddHours(3), [File("psm_live", [812])], [Postgres]));
        Assert.Empty(doc.Orphans);
        Assert.Empty(doc.Idle);
        var pressure = Assert.Single(doc.Pressure, p => p.Limit == "DEVSHM");
        Assert.Equal((2UL << 20, 1UL << 30), (pressure.Used, pressure.Max!.Value));
    }

    /// <summary>`merge` copies the POSIX tables too: the merged file reports the same POSIX orphan, twice merged or once.</summary>
    [Fact]
    public void MergedFileKeepsThePosixHistoryAndItsVerdict()
    {
        var db = _dir.File("host.db");
        using (var store = SnapshotStore.OpenForWrite(db))
            foreach (var s in new[] { At(T0, [File("PostgreSQL.1234", [812])], [Postgres]), At(T0.AddHours(1), [File("PostgreSQL.1234", [])]),
                                      At(T0.AddHours(3), [File("PostgreSQL.1234", [])]) })
                store.Save(() => s);
        var fleet = _dir.File("fleet.db");
        using (var target = SnapshotStore.OpenForWrite(fleet))
        {
            Assert.Equal(3, FleetMerger.Merge(target, db).SnapshotsAdded);
            Assert.Equal(0, FleetMerger.Merge(target, db).SnapshotsAdded);
        }
        var request = new ReportRequest(T0.AddDays(-1), T0.AddDays(1), [], TimeSpan.FromHours(1));
        var merged = ReportBuilder.Build(fleet, request);
        var o = Assert.Single(merged.Orphans);
        Assert.Equal(("posix_shm", "PostgreSQL.1234", 812, 2 * 3600L), (o.Kind, o.Name, o.CreatorPid!.Value, o.AgeSeconds));
        Assert.Contains("last held by postgres (pid 812)", o.Reason);
        var original = Assert.Single(ReportBuilder.Build(db, request).Orphans);
        Assert.Equal((original.Reason, original.Bytes, original.OrphanedSince, original.SuggestedCommand), (o.Reason, o.Bytes, o.OrphanedSince, o.SuggestedCommand));
        Assert.Equal(original.Evidence, o.Evidence);
        Assert.Equal(original.Missing, o.Missing);
    }
}
