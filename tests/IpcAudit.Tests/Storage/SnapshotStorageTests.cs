using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

public sealed class SnapshotStorageTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private string Db => _dir.File("ipcaudit.db");

    public void Dispose() => _dir.Dispose();

    private long Save(Snapshot s)
    {
        using var store = SnapshotStore.OpenForWrite(Db);
        return store.Save(() => s).SnapshotId;
    }

    private Snapshot Load(long id)
    {
        using var reader = SnapshotReader.Open(Db);
        return reader.Load(id);
    }

    private static string Json(Snapshot s)
    {
        using var w = new StringWriter();
        SnapshotJson.Write(w, s);
        return w.ToString();
    }

    [Fact]
    public void HundredUnchangedSnapshotsOfAThousandObjectsGrowLessThanOneKibEach()
    {
        Save(Steady(T0, perKind: 334));
        using (var store = SnapshotStore.OpenForWrite(Db)) IpcAuditDatabase.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        var before = new FileInfo(Db).Length;
        using (var store = SnapshotStore.OpenForWrite(Db))
        {
            for (var i = 1; i <= 100; i++) store.Save(() => Steady(T0.AddMinutes(5 * i), perKind: 334));
            IpcAuditDatabase.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
        var perSnapshot = (new FileInfo(Db).Length - before) / 100.0;
        output.WriteLine($"first snapshot of 1,002 objects: {before:N0} bytes; then {perSnapshot:N1} bytes per unchanged snapshot");
        Assert.True(perSnapshot < 1024, $"{perSnapshot:N1} bytes per unchanged snapshot");
        Assert.Equal(101, SnapshotReader.Open(Db).List().Count);
    }

    [Fact]
    public void StoredSnapshotReadsBackExactlyAsCollected()
    {
        var first = Build(T0,
            shm: [Shm(0, attached: [501]) with { Nattch = 1 }, Shm(32769, bytes: 1UL << 40) with { Mode = 0x200 | 0x180, Key = 0 }],
            sem: [Sem(0, nsems: 3) with { Key = 0xdeadbeef }],
            msg: [Msg(0, qnum: 3), Msg(1) with { Qbytes = null }],
            processes: [new ProcessInfo { Pid = 100, Alive = false }, new ProcessInfo { Pid = 200, Alive = false },
                        new ProcessInfo { Pid = 300, Alive = false },
                        new ProcessInfo { Pid = 501, Alive = true, Comm = "postgres", Cmdline = "postgres -D /srv", Uid = 26, StartTime = T0.AddHours(-3) }]);
        var second = first with
        {
            TakenAt = T0.AddMinutes(5),
            Sem = [first.Sem[0] with { Semaphores = [new Semaphore(0, 7, 1, 0, 200), new Semaphore(1, 0, 0, 2, 200), new Semaphore(2, 1, 0, 0, 200)] }],
            Msg = [first.Msg[0]],
        };
        var id1 = Save(first);
        var id2 = Save(second);

        Assert.Equal(Json(first), Json(Load(id1)));
        Assert.Equal(Json(second), Json(Load(id2)));
    }

    [Fact]
    public void LimitNearTwoToTheSixtyFourRoundTripsExactly()
    {
        var limits = new IpcLimits { Shmall = ulong.MaxValue - 1, Shmmax = 18446744073692774399, Shmmni = 4096 };
        var id = Save(Build(T0, limits: limits));
        var back = Load(id).Limits;
        Assert.Equal(ulong.MaxValue - 1, back.Shmall);
        Assert.Equal(18446744073692774399UL, back.Shmmax);
        Assert.Null(back.Semmni);
    }

    [Fact]
    public void RemovedObjectIsGoneFromLaterSnapshotsOnly()
    {
        var a = Save(Build(T0, shm: [Shm(1), Shm(2)]));
        var b = Save(Build(T0.AddMinutes(5), shm: [Shm(2)]));
        Assert.Equal([1, 2], Load(a).Shm.Select(s => s.Id));
        Assert.Equal([2], Load(b).Shm.Select(s => s.Id));
    }

    [Fact]
    public void ReusedIdWithAnotherCreatorIsANewObject()
    {
        Save(Build(T0, shm: [Shm(7, cpid: 100)]));
        Save(Build(T0.AddMinutes(5), shm: [Shm(7, cpid: 999)]));
        using var reader = SnapshotReader.Open(Db);
        Assert.Equal(2L, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM objects WHERE ipc_id = 7"));
        Assert.Equal(1L, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM objects WHERE ipc_id = 7 AND removed_at IS NOT NULL"));
    }

    [Fact]
    public void ChangedObjectAddsOneStateRowAndUnchangedAddsNone()
    {
        Save(Build(T0, sem: [Sem(1), Sem(2)]));
        Save(Build(T0.AddMinutes(5), sem: [Sem(1), Sem(2, value: 0)]));
        using var reader = SnapshotReader.Open(Db);
        Assert.Equal(3L, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM sem_states"));
    }

    [Fact]
    public void FailedStepLeavesThatKindsHistoryOpen()
    {
        Save(Build(T0, sem: [Sem(1)], msg: [Msg(1)]));
        var second = Save(Build(T0.AddMinutes(5), sem: [], msg: [], failedSteps: ["sem"]));
        var loaded = Load(second);
        Assert.Equal([1], loaded.Sem.Select(s => s.Id));   // not seen, but not known gone either
        Assert.Empty(loaded.Msg);                           // msg step succeeded: really gone
        Assert.False(loaded.Steps.Single(s => s.Name == "sem").Succeeded);
    }

    [Fact]
    public void SnapshotNotAfterTheLatestOfItsHostIsRefused()
    {
        Save(Build(T0.AddHours(1)));
        var e = Assert.Throws<IpcAuditException>(() => Save(Build(T0)));
        Assert.Contains("not after the latest", e.Message);
        Assert.Single(SnapshotReader.Open(Db).List());
    }

    [Fact]
    public void FailureDuringCollectionWritesNothing()
    {
        Save(Build(T0));
        using (var store = SnapshotStore.OpenForWrite(Db))
            Assert.Throws<ProcFormatException>(() => store.Save(() => throw new ProcFormatException("sysvipc/shm", 3, "size", "not a number")));
        Assert.Single(SnapshotReader.Open(Db).List());
    }

    [Fact]
    public async Task TwoCollectorsStartedAtOnceBothSucceed()
    {
        Save(Build(T0));
        using var gate = new Barrier(2);
        void Collect()
        {
            using var store = SnapshotStore.OpenForWrite(Db);
            gate.SignalAndWait();
            // The time is taken inside the write lock, as the real collector does.
            store.Save(() => { Thread.Sleep(200); return Steady(DateTimeOffset.UtcNow, 50); });
        }
        await Task.WhenAll(Task.Run(Collect), Task.Run(Collect)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, SnapshotReader.Open(Db).List().Count);
    }

    [Fact]
    public void DatabaseIsCreatedReadableByOwnerOnly()
    {
        Save(Build(T0));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Db));
    }

    [Fact]
    public void SameHostAfterRebootStartsANewHistory()
    {
        Save(Build(T0, shm: [Shm(1)]));
        Save(Build(T0.AddMinutes(5), shm: [Shm(1)], host: Host(boot: "boot-b")));
        using var reader = SnapshotReader.Open(Db);
        Assert.Equal(2L, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM contexts"));
        Assert.Equal(2L, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM objects"));
    }
}

public sealed class ProcessHistoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static ProcessInfo Live(int pid, DateTimeOffset start) =>
        new() { Pid = pid, Alive = true, Comm = "httpd", Cmdline = "/usr/sbin/httpd -k start", Uid = 48, StartTime = start };

    [Fact]
    public void StartTimeJitterOfASecondIsTheSameProcess()
    {
        var db = _dir.File("p.db");
        using var store = SnapshotStore.OpenForWrite(db);
        var seg = SyntheticSnapshots.Shm(1, cpid: 4711) with { Nattch = 1, AttachedPids = [4711] };
        var start = SyntheticSnapshots.T0.AddHours(-1);
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0, shm: [seg], processes: [Live(4711, start)]));
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0.AddMinutes(5), shm: [seg], processes: [Live(4711, start.AddMilliseconds(1000))]));
        Assert.Equal(1L, IpcAuditDatabase.Scalar(store.Connection, "SELECT count(*) FROM processes"));
    }

    [Fact]
    public void ReusedPidIsANewProcessAndTheOldOneEnds()
    {
        var db = _dir.File("p.db");
        using var store = SnapshotStore.OpenForWrite(db);
        var seg = SyntheticSnapshots.Shm(1, cpid: 4711);
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0, shm: [seg], processes: [Live(4711, SyntheticSnapshots.T0.AddHours(-1))]));
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0.AddMinutes(5), shm: [seg], processes: [Live(4711, SyntheticSnapshots.T0.AddMinutes(2))]));
        Assert.Equal(2L, IpcAuditDatabase.Scalar(store.Connection, "SELECT count(*) FROM processes"));
        Assert.Equal(1L, IpcAuditDatabase.Scalar(store.Connection, "SELECT count(*) FROM processes WHERE valid_to IS NOT NULL"));
    }
}

public sealed class RemovedUnderLiveProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LiveLastUserOfARemovedObjectIsRecordedAliveAtTheRemoval()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("r.db"));
        var start = SyntheticSnapshots.T0.AddHours(-1);
        var user = new ProcessInfo { Pid = 200, Alive = true, Comm = "etl", StartTime = start };
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0, sem: [SyntheticSnapshots.Sem(1)], processes: [user]));

        var asked = new List<int>();
        var alive = true;
        IReadOnlyList<ProcessInfo> Kernel(IReadOnlyCollection<int> pids) { asked.AddRange(pids); return [user with { Alive = alive }]; }
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0.AddMinutes(5)), Kernel);   // the array is gone
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0.AddMinutes(10)), Kernel);  // nothing removed; 200 is tracked
        alive = false;
        store.Save(() => SyntheticSnapshots.Build(SyntheticSnapshots.T0.AddMinutes(15)), Kernel);  // 200 has exited

        // Asked once as the removed array's last user, then at each snapshot as a tracked process.
        Assert.Equal([200, 200, 200], asked);
        var at2 = UnixTime.Ms(SyntheticSnapshots.T0.AddMinutes(5));
        var at4 = UnixTime.Ms(SyntheticSnapshots.T0.AddMinutes(15));
        Assert.Equal(1L, IpcAuditDatabase.Scalar(store.Connection,
            $"SELECT count(*) FROM processes WHERE pid = 200 AND valid_from <= {at2} AND (valid_to IS NULL OR valid_to > {at2})"));
        Assert.Equal(at4, IpcAuditDatabase.Scalar(store.Connection, "SELECT valid_to FROM processes WHERE pid = 200"));
    }
}
