using System.Text.Json;
using IpcAudit.Bench.HistoryGenerator;
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

    [PostgresFact]
    public void ReportsFromTheServerEqualReportsFromAMergedFile()
    {
        string[] spools = [Spool("web1", 1), Spool("web2", 2), Spool("db1", 3)];
        var fleet = _dir.File("fleet.db");
        foreach (var spool in spools)
        {
            var shipped = CliRun.Of("ship", "--db", spool, "--to", Pg.Uri);
            Assert.True(shipped.ExitCode == 0, shipped.Stderr);
        }
        Assert.Equal(0, CliRun.Of(["merge", "--db", fleet, .. spools]).ExitCode);

        string[] window = ["--since", "2026-11-19T12:00:00Z", "--until", "2026-11-20T00:00:00Z", "--format", "json"];
        var fromFile = CliRun.Of(["report", "--db", fleet, .. window]);
        var fromServer = CliRun.Of(["report", "--db", Pg.Uri, .. window]);
        Assert.True(fromServer.ExitCode == fromFile.ExitCode, fromServer.Stderr);
        using var a = JsonDocument.Parse(fromFile.Stdout);
        using var b = JsonDocument.Parse(fromServer.Stdout);
        var differences = new List<string>();
        Compare("$", a.RootElement, b.RootElement, differences);
        Assert.Empty(differences);
        Assert.Equal(3, a.RootElement.GetProperty("window").GetProperty("hosts").GetArrayLength());
        Assert.True(a.RootElement.GetProperty("growth").GetArrayLength() > 0);

        // The other read commands, and IPCAUDIT_SERVER instead of --db, name snapshots by uid and time alike.
        Assert.Equal(CliRun.Of("snapshots", "--db", fleet, "--host", "web2").Stdout.Split('\n').Length,
            CliRun.Of("snapshots", "--db", Pg.Uri, "--host", "web2").Stdout.Split('\n').Length);
        Assert.Equal(CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "db1", "--db", fleet, "--json").Stdout,
            CliRun.Of("show", "2026-11-19T18:00:00Z", "--host", "db1", "--db", Pg.Uri, "--json").Stdout);
        Assert.Equal(CliRun.Of("diff", "2026-11-19T14:00:00Z", "2026-11-19T18:00:00Z", "--host", "web1", "--db", fleet, "--json").Stdout,
            CliRun.Of("diff", "2026-11-19T14:00:00Z", "2026-11-19T18:00:00Z", "--host", "web1", "--db", Pg.Uri, "--json").Stdout);
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
