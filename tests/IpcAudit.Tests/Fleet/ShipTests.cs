using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Fleet;

/// <summary>`ipcaudit ship`: the local spool to the central PostgreSQL store, idempotent, store and forward.</summary>
public sealed class ShipTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private TestPostgres? _pg;
    private TestPostgres Pg => _pg ??= new TestPostgres();

    public void Dispose()
    {
        _pg?.Dispose();
        _dir.Dispose();
    }

    private string Spool => _dir.File("spool.db");

    private void Save(params Snapshot[] snapshots)
    {
        using var store = SnapshotStore.OpenForWrite(Spool);
        foreach (var s in snapshots) store.Save(() => s);
    }

    /// <summary>Objects that change, appear and go, System V and POSIX alike: states closed after they were first shipped.</summary>
    private static Snapshot At(int minutes, int semValue = 1, bool withQueue = true, bool withSegment2 = false) => WithPosix(Build(T0.AddMinutes(minutes),
        shm: withSegment2 ? [Shm(1), Shm(2, bytes: 8192)] : [Shm(1)],
        sem: [Sem(10, value: semValue)],
        msg: withQueue ? [Msg(20, qnum: (ulong)minutes)] : []), new PosixIpc
    {
        Shm = withSegment2 ? [PosixFile("PostgreSQL.1", mapped: []), PosixFile("psm_2", 8192, mapped: [])] : [PosixFile("PostgreSQL.1", mapped: [])],
        Sem = [PosixFile("lock", 4096, uid: 0, mapped: [], semaphore: true, value: semValue)],
        Mq = withQueue ? [PosixQueue("jobs", messages: minutes)] : [],
        DevshmBytes = 1L << 30, DevshmUsedBytes = 2L << 20, MqQueues = withQueue ? 1 : 0, MqQueuesMax = 256,
    });

    private static readonly string[] Tables = ["contexts", "limit_sets", "snapshots", "snapshot_steps", "objects", "shm_states", "sem_states", "msg_states", "processes",
        "posix_objects", "posix_states", "posix_snapshot", "msg_totals"];

    /// <summary>Every table holds as many rows, and every closed state ends where the spool's does.</summary>
    private void AssertServerMatchesSpool()
    {
        using var local = SnapshotReader.Open(Spool);
        foreach (var table in Tables)
            Assert.True(IpcAuditDatabase.Scalar(local.Connection, $"SELECT count(*) FROM {table}") == Pg.Scalar($"SELECT count(*) FROM {table}"), table);
        foreach (var kind in new[] { "shm", "sem", "msg", "posix" })
            Assert.Equal(IpcAuditDatabase.Scalar(local.Connection, $"SELECT coalesce(sum(valid_to), 0) FROM {kind}_states"),
                Pg.Scalar($"SELECT coalesce(sum(valid_to), 0) FROM {kind}_states"));
        // Every snapshot of a short history; a sample of a long one (each `show` rebuilds a whole snapshot twice).
        var all = local.List();
        foreach (var s in all.Where((_, i) => all.Count < 20 || i % 40 == 0 || i == all.Count - 1))
            Assert.Equal(CliRun.Of("show", s.SnapshotUid, "--db", Spool, "--json").Stdout, CliRun.Of("show", s.SnapshotUid, "--db", Pg.Uri, "--json").Stdout);
    }

    [PostgresFact]
    public void ShippingTwiceAddsNothingTwice()
    {
        Save(At(0), At(5, semValue: 2));
        // A copy whose ledger has acknowledged nothing: shipping it resends every snapshot.
        var unacknowledged = _dir.File("copy.db");
        foreach (var suffix in new[] { "", "-wal" })
            if (File.Exists(Spool + suffix)) File.Copy(Spool + suffix, unacknowledged + suffix);
        var first = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("2 snapshots shipped", first.Stdout);
        Assert.Contains("backlog 0", first.Stdout);

        var posixRows = Pg.Scalar("SELECT (SELECT count(*) FROM posix_objects) + (SELECT count(*) FROM posix_states) + (SELECT count(*) FROM posix_snapshot)");
        Assert.True(posixRows > 0);

        var second = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 snapshots shipped", second.Stdout);
        Assert.Equal(posixRows, Pg.Scalar("SELECT (SELECT count(*) FROM posix_objects) + (SELECT count(*) FROM posix_states) + (SELECT count(*) FROM posix_snapshot)"));
        var resent = CliRun.Of("ship", "--db", unacknowledged, "--to", Pg.Uri);
        Assert.True(resent.ExitCode == 0, resent.Stderr);
        Assert.Equal(posixRows, Pg.Scalar("SELECT (SELECT count(*) FROM posix_objects) + (SELECT count(*) FROM posix_states) + (SELECT count(*) FROM posix_snapshot)"));
        AssertServerMatchesSpool();
    }

    [PostgresFact]
    public void StatesClosedAfterShippingAreShippedClosed()
    {
        Save(At(0, withSegment2: true), At(5, withSegment2: true));
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri).ExitCode);
        Assert.Equal(0, Pg.Scalar("SELECT count(*) FROM objects WHERE removed_at IS NOT NULL"));

        // The queue and the second segment go, the semaphore changes: rows shipped open are now closed.
        Save(At(10, semValue: 3, withQueue: false));
        var r = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.Contains("1 snapshots shipped", r.Stdout);
        Assert.Equal(2, Pg.Scalar("SELECT count(*) FROM objects WHERE removed_at IS NOT NULL"));
        // The same for POSIX: the queue and psm_2 removed, the semaphore's state closed.
        Assert.Equal(2, Pg.Scalar("SELECT count(*) FROM posix_objects WHERE removed_at IS NOT NULL"));
        AssertServerMatchesSpool();
    }

    [PostgresFact]
    public void ADayOfBacklogShipsInOneRun()
    {
        Save([.. Enumerable.Range(0, 288).Select(i => At(i * 5, semValue: i % 3 + 1))]);
        var r = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("288 snapshots shipped", r.Stdout);
        AssertServerMatchesSpool();
    }

    [PostgresFact]
    public void AServerThatIsDownKeepsTheBacklogAndTheNextShipSendsIt()
    {
        Save(At(0));
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri).ExitCode);
        Save(At(5), At(10));
        var down = $"postgresql://postgres@127.0.0.1:{ClosedPort()}/{Pg.Database}";

        var r = CliRun.Of("ship", "--db", Spool, "--to", down);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("2 snapshots kept in the local spool", r.Stderr);
        Assert.Empty(r.Stdout);

        var again = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.Contains("2 snapshots shipped", again.Stdout);
        AssertServerMatchesSpool();
    }

    [PostgresFact]
    public void CollectWhileTheServerIsDownStoresLocallyAndShipsLater()
    {
        var textfile = Directory.CreateDirectory(_dir.File("metrics")).FullName;
        string[] Collect(string at, string server) =>
            ["collect", "--db", Spool, "--proc-root", TestPaths.ProcFixture("modern"), "--at", at, "--ship-to", server, "--textfile", textfile];
        var down = $"postgresql://postgres@127.0.0.1:{ClosedPort()}/{Pg.Database}";

        var r = CliRun.Of(Collect("2026-11-20T00:00:00Z", down));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("1 snapshot kept in the local spool", r.Stderr);
        using (var local = SnapshotReader.Open(Spool)) Assert.Single(local.List());
        var metrics = File.ReadAllText(Path.Combine(textfile, "ipcaudit.prom"));
        Assert.Contains("ipcaudit_ship_backlog_snapshots 1\n", metrics);
        Assert.DoesNotContain("ipcaudit_ship_last_success_timestamp_seconds", metrics);

        var up = CliRun.Of(Collect("2026-11-20T00:05:00Z", Pg.Uri));
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.Equal(2, Pg.Scalar("SELECT count(*) FROM snapshots"));
        metrics = File.ReadAllText(Path.Combine(textfile, "ipcaudit.prom"));
        Assert.Contains("ipcaudit_ship_backlog_snapshots 0\n", metrics);
        Assert.Contains("ipcaudit_ship_last_success_timestamp_seconds ", metrics);
        AssertServerMatchesSpool();
    }

    [PostgresFact]
    public void AServerWithANewerSchemaIsRefused()
    {
        Save(At(0));
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri).ExitCode);
        Pg.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future', 0)");
        Save(At(5));

        var r = CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri);
        Assert.Equal(4, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("the server's schema 99 is newer than this ipcaudit's", r.Stderr);
        Assert.Equal(1, Pg.Scalar("SELECT count(*) FROM snapshots"));
        var report = CliRun.Of("snapshots", "--db", Pg.Uri);
        Assert.Equal(4, report.ExitCode);
    }

    [PostgresFact]
    public void PruneKeepsWhatTheServerHasNotAcknowledgedUnlessForced()
    {
        Save(At(0), At(5));
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri).ExitCode);
        Save(At(10), At(15));

        var kept = CliRun.Of("prune", "--older-than", "1d", "--db", Spool);
        Assert.Equal(0, kept.ExitCode);
        Assert.Contains("2 snapshots older than", kept.Stderr);
        Assert.Contains("--force", kept.Stderr);
        using (var local = SnapshotReader.Open(Spool))
            Assert.Equal([T0.AddMinutes(10), T0.AddMinutes(15)], local.List().Select(s => s.TakenAt));

        Assert.Equal(0, CliRun.Of("ship", "--db", Spool, "--to", Pg.Uri).ExitCode);
        Assert.Equal(4, Pg.Scalar("SELECT count(*) FROM snapshots"));
        Save(At(20));
        Assert.Equal(0, CliRun.Of("prune", "--older-than", "1d", "--force", "--db", Spool).ExitCode);
        using (var local = SnapshotReader.Open(Spool)) Assert.Empty(local.List());
    }

    [Fact]
    public void APasswordOnTheCommandLineIsRefused()
    {
        var r = CliRun.Of("ship", "--db", Spool, "--to", "postgresql://collector:secret@fleetdb/ipcaudit");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("password on the command line", r.Stderr);
        Assert.DoesNotContain("secret", r.Stderr);
        r = CliRun.Of("ship", "--db", Spool, "--to", "Host=fleetdb;Username=collector;Password=secret");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("secret", r.Stderr);
    }

    /// <summary>A TCP port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
