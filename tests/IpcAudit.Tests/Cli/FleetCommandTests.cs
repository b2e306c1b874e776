using System.Text.Json;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>`merge` and `prune`: a fleet store built from per-host files, and retention.</summary>
public sealed class FleetCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string HostDb(string host, params string[] times)
    {
        var db = _dir.File(host + ".db");
        foreach (var t in times)
            Assert.Equal(0, CliRun.Of("collect", "--db", db, "--proc-root", TestPaths.ProcFixture("modern"), "--at", t, "--host", host).ExitCode);
        return db;
    }

    private static string ShowJson(string db, string id) => CliRun.Of("show", id, "--db", db, "--json").Stdout;

    [Fact]
    public void MergingTwiceAddsNothingTwice()
    {
        var web1 = HostDb("web1", "2026-11-20T00:00:00Z", "2026-11-20T00:05:00Z");
        var web2 = HostDb("web2", "2026-11-20T00:02:00Z");
        var fleet = _dir.File("fleet.db");

        var first = CliRun.Of("merge", "--db", fleet, web1, web2);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("2 snapshots added", first.Stdout);
        var second = CliRun.Of("merge", "--db", fleet, web1, web2);
        Assert.Contains("0 snapshots added, 2 already present", second.Stdout);

        using var reader = SnapshotReader.Open(fleet);
        Assert.Equal(3, reader.List().Count);
        Assert.Equal(2, reader.List("web1").Count);
        foreach (var table in new[] { "objects", "shm_states", "sem_states", "msg_states", "processes", "contexts", "gone_processes", "account_names" })
        {
            using var source1 = SnapshotReader.Open(web1);
            using var source2 = SnapshotReader.Open(web2);
            var expected = IpcAuditDatabase.Scalar(source1.Connection, $"SELECT count(*) FROM {table}")
                           + IpcAuditDatabase.Scalar(source2.Connection, $"SELECT count(*) FROM {table}");
            Assert.Equal(expected, IpcAuditDatabase.Scalar(reader.Connection, $"SELECT count(*) FROM {table}"));
        }
        // Each host's SYS_UID_MAX (the fixture's login.defs says 499) travels with its contexts.
        Assert.Equal(2, IpcAuditDatabase.Scalar(reader.Connection, "SELECT count(*) FROM contexts WHERE sys_uid_max = 499"));
    }

    [Fact]
    public void MergedSnapshotReadsBackAsTheSourceHadIt()
    {
        var web1 = HostDb("web1", "2026-11-20T00:00:00Z", "2026-11-20T00:05:00Z");
        var fleet = _dir.File("fleet.db");
        Assert.Equal(0, CliRun.Of("merge", "--db", fleet, web1).ExitCode);
        Assert.Equal(ShowJson(web1, "2026-11-20T00:05:00Z"), ShowJson(fleet, "2026-11-20T00:05:00Z"));
    }

    [Fact]
    public void GrownSourceMergesOnlyWhatIsNew()
    {
        var web1 = HostDb("web1", "2026-11-20T00:00:00Z");
        var fleet = _dir.File("fleet.db");
        CliRun.Of("merge", "--db", fleet, web1);
        HostDb("web1", "2026-11-20T00:05:00Z", "2026-11-20T00:10:00Z");
        var again = CliRun.Of("merge", "--db", fleet, web1);
        Assert.Contains("2 snapshots added, 1 already present", again.Stdout);
        Assert.Equal(ShowJson(web1, "2026-11-20T00:10:00Z"), ShowJson(fleet, "2026-11-20T00:10:00Z"));
    }

    [Fact]
    public void MergingANonDatabaseFailsWithOneLineAndLeavesTheTargetAlone()
    {
        var fleet = _dir.File("fleet.db");
        CliRun.Of("merge", "--db", fleet, HostDb("web1", "2026-11-20T00:00:00Z"));
        var junk = _dir.File("junk.db");
        File.WriteAllText(junk, "not sqlite");
        var run = CliRun.Of("merge", "--db", fleet, junk);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains("junk.db", run.Stderr);
        Assert.Single(SnapshotReader.Open(fleet).List());
    }

    [Fact]
    public void PruneDeletesOldSnapshotsAndKeepsNewerOnesWhole()
    {
        var now = DateTimeOffset.UtcNow;
        string T(int daysAgo) => now.AddDays(-daysAgo).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var db = HostDb("web1", T(120), T(100), T(10), T(1));
        var keep = ShowJson(db, T(10));

        var run = CliRun.Of("prune", "--older-than", "90d", "--db", db);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 snapshots", run.Stdout);
        using var reader = SnapshotReader.Open(db);
        Assert.Equal(2, reader.List().Count);
        Assert.Equal(keep, ShowJson(db, T(10)));
    }

    [Fact]
    public void BadRetentionGetsOneLine()
    {
        var db = HostDb("web1", "2026-11-20T00:00:00Z");
        var run = CliRun.Of("prune", "--older-than", "ninety days", "--db", db);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("90m, 24h, 7d, 4w", run.Stderr);
    }
}
