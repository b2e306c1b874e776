using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Output;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// `prune --snapshot ID`: the other snapshots read back exactly as before, whichever one is deleted,
/// and the next collect continues from the one before a deleted newest.
/// </summary>
public sealed class SnapshotDeletionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static DateTimeOffset At(int hour) => T0.AddHours(hour);

    private static ProcessInfo Alive(int pid) => new() { Pid = pid, Alive = true, Comm = "p" + pid, Uid = 0, StartTime = T0.AddDays(-2) };

    /// <summary>Five hours in which objects appear, change, vanish and come back to an earlier state; System V and POSIX.</summary>
    private static Snapshot History(int hour) => WithPosix(SysvHistory(hour), PosixHistory(hour));

    private static PosixIpc PosixHistory(int hour)
    {
        PosixShmObject A(int[] mapped) => PosixFile("PostgreSQL.1", mapped: mapped);
        PosixShmObject S(long value) => PosixFile("lock", 4096, uid: 0, mapped: [], semaphore: true, value: value);
        var (t, q, r) = (PosixFile("t", 4096, uid: 0, mapped: [], semaphore: true, value: 5), PosixQueue("q", messages: 2), PosixQueue("r"));
        (PosixShmObject[] Shm, PosixShmObject[] Sem, PosixQueue[] Mq) objects = hour switch
        {
            0 => ([A([100]), PosixFile("b")], [S(1)], [PosixQueue("q")]),
            1 => ([A([100]), PosixFile("b", 2 << 20), PosixFile("c")], [S(0)], [q]),
            2 => ([A([100]), PosixFile("c")], [S(0), t], [q]),
            3 => ([A([])], [S(1), t], [q]),
            4 => ([A([])], [S(1), t], [q, r]),
            _ => ([A([]), PosixFile("d")], [t], [r]),
        };
        return new PosixIpc
        {
            Shm = objects.Shm, Sem = objects.Sem, Mq = objects.Mq, DevshmBytes = 1L << 30, DevshmUsedBytes = (hour + 1) << 20,
            MqQueues = objects.Mq.Length, MqQueuesMax = 256,
        };
    }

    private static Snapshot SysvHistory(int hour) => hour switch
    {
        0 => Build(At(0), shm: [Shm(1), Shm(2)], sem: [Sem(10)], msg: [Msg(20)], processes: [Alive(100)]),
        1 => Build(At(1), shm: [Shm(1, nattch: 1, attached: [100]), Shm(2), Shm(3)], sem: [Sem(10, value: 0)], msg: [Msg(20, qnum: 2)], processes: [Alive(100)]),
        2 => Build(At(2), shm: [Shm(1, nattch: 1, attached: [100]), Shm(3)], sem: [Sem(10, value: 0), Sem(11)], msg: [Msg(20, qnum: 2)], processes: [Alive(100)]),
        3 => Build(At(3), shm: [Shm(1)], sem: [Sem(10), Sem(11)], msg: [Msg(20, qnum: 2)]),
        4 => Build(At(4), shm: [Shm(1)], sem: [Sem(10), Sem(11)], msg: [Msg(20, qnum: 2), Msg(21)]),
        _ => Build(At(hour), shm: [Shm(1), Shm(4)], sem: [Sem(11)], msg: [Msg(21)]),
    };

    private string Database(string name, params int[] hours)
    {
        var db = _dir.File(name);
        using var store = SnapshotStore.OpenForWrite(db);
        foreach (var h in hours) store.Save(() => History(h));
        return db;
    }

    /// <summary>Every snapshot as `show --json` prints it, by time.</summary>
    private static Dictionary<DateTimeOffset, string> ShowAll(string db)
    {
        using var reader = SnapshotReader.Open(db);
        return reader.List().ToDictionary(s => s.TakenAt, s =>
        {
            using var w = new StringWriter();
            SnapshotJson.Write(w, reader.Load(s.SnapshotId));
            return w.ToString();
        });
    }

    /// <summary>
    /// The store's invariant: every time a state, process or object starts or ends at is the time of a
    /// snapshot of its own context. A deletion that only removed the snapshot row would leave times
    /// that no snapshot has, and reports would count objects created at a snapshot that is not there.
    /// </summary>
    private static void AssertEveryBoundIsASnapshot(string db)
    {
        using var reader = SnapshotReader.Open(db);
        string[] bounds =
        [
            .. new[] { "shm", "sem", "msg" }.SelectMany(k => new[]
            {
                $"SELECT o.context_id, s.valid_from FROM {k}_states s JOIN objects o USING (object_id)",
                $"SELECT o.context_id, s.valid_to FROM {k}_states s JOIN objects o USING (object_id) WHERE s.valid_to IS NOT NULL",
            }),
            "SELECT context_id, valid_from FROM processes", "SELECT context_id, valid_to FROM processes WHERE valid_to IS NOT NULL",
            "SELECT context_id, first_seen FROM objects", "SELECT context_id, removed_at FROM objects WHERE removed_at IS NOT NULL",
            "SELECT o.context_id, s.valid_from FROM posix_states s JOIN posix_objects o USING (posix_object_id)",
            "SELECT o.context_id, s.valid_to FROM posix_states s JOIN posix_objects o USING (posix_object_id) WHERE s.valid_to IS NOT NULL",
            "SELECT context_id, first_seen FROM posix_objects", "SELECT context_id, removed_at FROM posix_objects WHERE removed_at IS NOT NULL",
        ];
        foreach (var sql in bounds)
            Assert.Equal(0, IpcAuditDatabase.Scalar(reader.Connection,
                $"WITH b(context_id, t) AS ({sql}) SELECT count(*) FROM b WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.context_id = b.context_id AND s.taken_at = b.t)"));
    }

    private static long IdAt(string db, int hour)
    {
        using var reader = SnapshotReader.Open(db);
        return reader.List().Single(s => s.TakenAt == At(hour)).SnapshotId;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DeletingAMiddleSnapshotLeavesEveryOtherUnchanged(int hour)
    {
        var db = Database("a.db", 0, 1, 2, 3, 4);
        var before = ShowAll(db);

        var run = CliRun.Of("prune", "--db", db, "--snapshot", IdAt(db, hour).ToString());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1 snapshots deleted", run.Stdout);

        var after = ShowAll(db);
        before.Remove(At(hour));
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (at, json) in before) Assert.Equal(json, after[at]);
        // The same as a history that never had that snapshot, so later collects and reports see no seam.
        var neverDb = Database("never.db", [.. new[] { 0, 1, 2, 3, 4 }.Where(h => h != hour)]);
        var never = ShowAll(neverDb);
        foreach (var (at, json) in never) Assert.Equal(json, after[at]);
        AssertEveryBoundIsASnapshot(db);
        // The report over what remains (orphans, growth, pressure, churn; System V and POSIX) is the never-had-it history's.
        Assert.Equal(ReportOf(neverDb), ReportOf(db));
    }

    private static string ReportOf(string db)
    {
        var doc = ReportBuilder.Build(db, new ReportRequest(T0.AddDays(-1), T0.AddDays(1), [], TimeSpan.FromMinutes(30)));
        using var w = new StringWriter();
        ReportJson.Write(w, doc);
        return w.ToString();
    }

    /// <summary>`prune --older-than` drops POSIX states and files that ended before the cutoff, and keeps what later snapshots read.</summary>
    [Fact]
    public void RetentionDropsEndedPosixHistoryAndKeepsTheRest()
    {
        var db = Database("a.db", 0, 1, 2, 3, 4);
        var before = ShowAll(db);
        Retention.Prune(db, At(2));
        var after = ShowAll(db);
        Assert.Equal([At(2), At(3), At(4)], after.Keys.Order());
        foreach (var (at, json) in after) Assert.Equal(before[at], json);
        using var reader = SnapshotReader.Open(db);
        Assert.Equal(0, IpcAuditDatabase.Scalar(reader.Connection, $"SELECT count(*) FROM posix_states WHERE valid_to <= {At(2).ToUnixTimeMilliseconds()}"));
        // "b" was removed at 2h: nothing of it is left.
        Assert.Equal(0, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM posix_objects WHERE name = 'b'"));
    }

    /// <summary>What the show of each snapshot holds of POSIX, so the comparisons above cannot pass on POSIX-less output.</summary>
    [Fact]
    public void ShowOfTheStoredHistoryHasItsPosixObjects()
    {
        var db = Database("a.db", 0, 1, 2, 3, 4);
        using var reader = SnapshotReader.Open(db);
        var p = reader.Load(IdAt(db, 1)).Posix!;
        Assert.Equal(["PostgreSQL.1", "b", "c"], p.Shm.Select(f => f.Name));
        Assert.Equal(2L << 20, p.Shm[1].Bytes);
        Assert.Equal([100], p.Shm[0].MappedPids!);
        Assert.Equal(0, Assert.Single(p.Sem).Value);
        Assert.Equal(2, Assert.Single(p.Mq).Messages);
    }

    [Fact]
    public void AfterDeletingTheNewestTheNextCollectContinuesFromTheOneBefore()
    {
        var db = Database("a.db", 0, 1, 2, 3, 4);
        Assert.Equal(0, CliRun.Of("prune", "--db", db, "--snapshot", IdAt(db, 4).ToString()).ExitCode);
        using (var store = SnapshotStore.OpenForWrite(db)) store.Save(() => History(5));

        var expected = ShowAll(Database("never.db", 0, 1, 2, 3, 5));
        var actual = ShowAll(db);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (at, json) in expected) Assert.Equal(json, actual[at]);
        AssertEveryBoundIsASnapshot(db);
    }

    [Fact]
    public void DeletingSeveralAtOnceAndUnknownIdsAreReported()
    {
        var db = Database("a.db", 0, 1, 2, 3, 4);
        var run = CliRun.Of("prune", "--db", db, "--snapshot", $"{IdAt(db, 1)},{IdAt(db, 3)}", "--snapshot", "999");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 snapshots deleted", run.Stdout);
        Assert.Contains("no snapshot 999", run.Stderr);
        var never = ShowAll(Database("never.db", 0, 2, 4));
        var actual = ShowAll(db);
        foreach (var (at, json) in never) Assert.Equal(json, actual[at]);
        AssertEveryBoundIsASnapshot(db);

        var none = CliRun.Of("prune", "--db", db, "--snapshot", "999");
        Assert.Equal(3, none.ExitCode);
        var both = CliRun.Of("prune", "--db", db, "--snapshot", "1", "--older-than", "90d");
        Assert.Equal(3, both.ExitCode);
        Assert.Single(both.StderrLines);
    }
}
