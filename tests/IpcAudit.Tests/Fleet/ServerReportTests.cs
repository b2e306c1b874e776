using System.Text.Json;
using IpcAudit.Bench.HistoryGenerator;
using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Fleet;

/// <summary>
/// Reading from the central server: several hosts' generated histories shipped to it, and the same spools
/// merged into one SQLite file, give the same report, show, snapshots and diff.
/// </summary>
public sealed class ServerReportTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestPostgres? _pg = TestPostgres.Server is null ? null : new TestPostgres();
    private TestPostgres Pg => _pg ?? throw new InvalidOperationException("IPCAUDIT_TEST_PG is not set");

    public void Dispose()
    {
        _pg?.Dispose();
        _dir.Dispose();
    }

    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One spool per host, as each collector keeps it: half a day of 5-minute snapshots with churn and a reboot.</summary>
    private string Spool(string host, int seed)
    {
        var db = _dir.File(host + ".db");
        var options = new GeneratorOptions { Db = db, Days = 0.5, Objects = 30, Seed = seed, RebootDay = 0.5, End = End };
        var interval = (long)options.Interval.TotalMilliseconds;
        var endMs = End.ToUnixTimeMilliseconds();
        var startMs = endMs - 144 * interval;
        var simulation = new HostSimulation(host, options, new Random(seed), startMs, startMs + 72 * interval);
        using var store = SnapshotStore.OpenForWrite(db);
        for (var i = 1; i <= 144; i++)
        {
            var snapshot = simulation.Step(startMs + i * interval);
            store.Save(() => snapshot);
        }
        return db;
    }

    private static readonly ProcessInfo Postgres = SyntheticSnapshots.Postgres(End.AddDays(-2));

    /// <summary>
    /// A host with POSIX IPC, hourly over the window: postgres maps PostgreSQL.1234 and is killed after 2 hours (an
    /// orphan), psm_cache grows a MiB an hour and /dev/shm with it, a semaphore changes, a queue fills.
    /// </summary>
    private string PosixSpool(string host) => SyntheticSnapshots.Stored(_dir.File(host + ".db"), Enumerable.Range(0, 13).Select(h =>
    {
        var alive = h < 3;
        var s = SyntheticSnapshots.Build(End.AddHours(h - 12), host: SyntheticSnapshots.Host(host), processes: alive ? [Postgres] : []);
        return SyntheticSnapshots.WithPosix(s, new PosixIpc
        {
                Shm = [SyntheticSnapshots.PosixFile("PostgreSQL.1234", mapped: alive ? [812] : []),
                       SyntheticSnapshots.PosixFile("psm_cache", (h + 1) << 20, uid: 1000, mapped: [])],
                Sem = [SyntheticSnapshots.PosixFile("lock", 4096, uid: 0, mapped: [], semaphore: true, value: h % 2)],
                Mq = [SyntheticSnapshots.PosixQueue("jobs", messages: h)],
                DevshmBytes = 64L << 20, DevshmUsedBytes = (h + 2L) << 20, MqQueues = 1, MqQueuesMax = 256,
        });
    }));

    /// <summary>
    /// The report of <paramref name="args"/> from the merged file and from the server: the same exit code and
    /// the same JSON field by field. Returns the server's document (equal to the file's).
    /// </summary>
    private JsonDocument SameReportBothWays(string fleet, string[] args)
    {
        var fromFile = CliRun.Of(["report", "--db", fleet, .. args]);
        var fromServer = CliRun.Of(["report", "--db", Pg.Uri, .. args]);
        Assert.True(fromServer.ExitCode == fromFile.ExitCode, fromServer.Stderr);
        using var file = JsonDocument.Parse(fromFile.Stdout);
        var server = JsonDocument.Parse(fromServer.Stdout);
        var differences = new List<string>();
        Compare("$", file.RootElement, server.RootElement, differences);
        Assert.Empty(differences);
        return server;
    }

    [PostgresFact]
    public void ReportsFromTheServerEqualReportsFromAMergedFile()
    {
        string[] spools = [Spool("web1", 1), Spool("web2", 2), Spool("db1", 3), PosixSpool("pg1")];
        var fleet = _dir.File("fleet.db");
        foreach (var spool in spools)
        {
            var shipped = CliRun.Of("ship", "--db", spool, "--to", Pg.Uri);
            Assert.True(shipped.ExitCode == 0, shipped.Stderr);
        }
        Assert.Equal(0, CliRun.Of(["merge", "--db", fleet, .. spools]).ExitCode);

        string[] window = ["--since", "2026-11-19T12:00:00Z", "--until", "2026-11-20T00:00:00Z", "--format", "json"];
        using var a = SameReportBothWays(fleet, window);
        Assert.Equal(4, a.RootElement.GetProperty("window").GetProperty("hosts").GetArrayLength());
        Assert.True(a.RootElement.GetProperty("growth").GetArrayLength() > 0);

        // A short threshold judges nearly every quiet object from its whole history: their rules read past the
        // newest states the server reader reads ahead, and the rest comes in one statement per kind.
        string[] judged = ["--orphan-age", "10m", .. window];
        using var jb = SameReportBothWays(fleet, judged);
        Assert.True(jb.RootElement.GetProperty("orphans").GetArrayLength() + jb.RootElement.GetProperty("idle").GetArrayLength() > 5);

        // The POSIX kinds: the same orphan, growth and pressure from the server as from the file.
        string[] posix = ["--host", "pg1", "--orphan-age", "1h", .. window];
        using var pb = SameReportBothWays(fleet, posix);
        var orphan = Assert.Single(pb.RootElement.GetProperty("orphans").EnumerateArray());
        Assert.Equal(("posix_shm", "PostgreSQL.1234", 812), (orphan.GetProperty("kind").GetString(), orphan.GetProperty("name").GetString(), orphan.GetProperty("creator_pid").GetInt32()));
        Assert.Equal(["posix_mq", "posix_sem", "posix_shm"], pb.RootElement.GetProperty("growth").EnumerateArray()
            .Select(g => g.GetProperty("kind").GetString()!).Where(k => k.StartsWith("posix_", StringComparison.Ordinal)).Distinct().Order());
        var devshm = pb.RootElement.GetProperty("pressure").EnumerateArray().Single(p => p.GetProperty("limit").GetString() == "DEVSHM");
        Assert.Equal(JsonValueKind.String, devshm.GetProperty("projected_exhaustion").ValueKind);
        Assert.Equal(CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "pg1", "--db", fleet, "--json").Stdout,
            CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "pg1", "--db", Pg.Uri, "--json").Stdout);
        var objectFromServer = CliRun.Of("show", "--host", "pg1", "--db", Pg.Uri, "--json", "--object", "posix_shm:PostgreSQL.1234");
        Assert.True(objectFromServer.ExitCode == 0, objectFromServer.Stderr);
        Assert.Equal(CliRun.Of("show", "--host", "pg1", "--db", fleet, "--json", "--object", "posix_shm:PostgreSQL.1234").Stdout, objectFromServer.Stdout);
        using var history = JsonDocument.Parse(objectFromServer.Stdout);
        Assert.Equal(2, history.RootElement.GetProperty("history").GetArrayLength());

        // The other read commands, and IPCAUDIT_SERVER instead of --db, name snapshots by uid and time alike.
        Assert.Equal(CliRun.Of("snapshots", "--db", fleet, "--host", "web2").Stdout.Split('\n').Length,
            CliRun.Of("snapshots", "--db", Pg.Uri, "--host", "web2").Stdout.Split('\n').Length);
        Assert.Equal(CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "db1", "--db", fleet, "--json").Stdout,
            CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "db1", "--db", Pg.Uri, "--json").Stdout);
        Assert.Equal(CliRun.Of("diff", "2026-11-19T14:00:00Z", "2026-11-19T18:00:00Z", "--host", "web1", "--db", fleet, "--json").Stdout,
            CliRun.Of("diff", "2026-11-19T14:00:00Z", "2026-11-19T18:00:00Z", "--host", "web1", "--db", Pg.Uri, "--json").Stdout);
    }

    [PostgresFact]
    public void AReportReadsTheServerAsItWasWhenItBegan()
    {
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool("web1", 1), "--to", Pg.Uri).ExitCode);
        using var report = ServerDatabase.OpenForRead(Pg.ConnectionString);
        static long Snapshots(System.Data.Common.DbConnection reader)
        {
            using var count = Dialect.Command(reader, "SELECT count(*) FROM snapshots");
            return Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(144, Snapshots(report));
        var shared = ServerDatabase.ExportSnapshot(report);

        // A collector ships while the report runs: the report goes on seeing the 144 snapshots it began with,
        // so its objects, states and processes all come from one moment of the store; and so does the second
        // connection it reads units on, opened after the ship.
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool("db1", 3), "--to", Pg.Uri).ExitCode);
        Assert.Equal(288, Pg.Scalar("SELECT count(*) FROM snapshots"));
        Assert.Equal(144, Snapshots(report));
        using var second = ServerDatabase.OpenForRead(Pg.ConnectionString, shared);
        Assert.Equal(144, Snapshots(second));
    }

    /// <summary>Field by field, so a failure names the path that differs.</summary>
    private static void Compare(string path, JsonElement a, JsonElement b, List<string> differences)
    {
        if (differences.Count > 20) return;
        if (a.ValueKind != b.ValueKind)
        {
            differences.Add($"{path}: {a.ValueKind} vs {b.ValueKind}");
            return;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).Union(b.EnumerateObject().Select(p => p.Name));
                foreach (var name in names)
                {
                    if (!a.TryGetProperty(name, out var x) || !b.TryGetProperty(name, out var y)) differences.Add($"{path}.{name}: missing on one side");
                    else Compare($"{path}.{name}", x, y, differences);
                }
                break;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) differences.Add($"{path}: {a.GetArrayLength()} vs {b.GetArrayLength()} items");
                else for (var i = 0; i < a.GetArrayLength(); i++) Compare($"{path}[{i}]", a[i], b[i], differences);
                break;
            default:
                if (a.GetRawText() != b.GetRawText()) differences.Add($"{path}: {a.GetRawText()} vs {b.GetRawText()}");
                break;
        }
    }
}
