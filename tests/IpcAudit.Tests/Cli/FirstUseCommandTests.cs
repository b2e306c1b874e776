using IpcAudit.Collector;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>What a new administrator runs into first: hosts, read-only files, typos, times, bad values.</summary>
public sealed class FirstUseCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string HostDb(string file, string host, params string[] times)
    {
        var db = _dir.File(file);
        foreach (var t in times)
            Assert.Equal(0, CliRun.Of("collect", "-q", "--db", db, "--proc-root", TestPaths.ProcFixture("modern"), "--at", t, "--host", host).ExitCode);
        return db;
    }

    private string Fleet()
    {
        var fleet = _dir.File("fleet.db");
        Assert.Equal(0, CliRun.Of("merge", "--db", fleet, HostDb("web1.db", "web1", "2026-11-20T00:00:00Z", "2026-11-20T00:10:00Z"),
            HostDb("web2.db", "web2", "2026-11-20T00:05:00Z")).ExitCode);
        return fleet;
    }

    [Fact]
    public void ShowTakesHostAndSaysWhichHostItShowsOnAFleet()
    {
        var fleet = Fleet();
        var latest = CliRun.Of("show", "--db", fleet);
        Assert.Equal(0, latest.ExitCode);
        Assert.Contains("host web1", latest.Stdout.Split('\n')[0]);
        Assert.Contains("showing snapshot 2 of host web1; this database holds 2 hosts (web1, web2): choose one with --host", latest.Stderr);

        var web2 = CliRun.Of("show", "--db", fleet, "--host", "WEB2");
        Assert.Equal(0, web2.ExitCode);
        Assert.Contains("host web2", web2.Stdout.Split('\n')[0]);
        Assert.Equal("", web2.Stderr);
        // A time resolves among that host's snapshots only.
        Assert.Contains("snapshot 1 ", CliRun.Of("show", "2026-11-20T00:07:00Z", "--db", fleet, "--host", "web1").Stdout);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("snapshots")]
    [InlineData("diff", "1", "2")]
    [InlineData("report")]
    public void AHostThatMatchesNothingIsAnErrorNamingTheHostsThere(string command, params string[] args)
    {
        var fleet = Fleet();
        var run = CliRun.Of([command, .. args, "--db", fleet, "--host", "typo"]);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal("ipcaudit: --host: no snapshots of host 'typo' in " + fleet + "; hosts there: web1, web2", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void ReportWithAMistypedHostFailsACheckInsteadOfPassingIt()
    {
        var run = CliRun.Of("report", "--db", Fleet(), "--host", "typo", "--fail-on", "orphans", "--since", "2026-11-19T00:00:00Z");
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
    }

    [Fact]
    public void SnapshotsShowTheUidThatShowAndDiffAcceptInEveryDatabase()
    {
        var fleet = Fleet();
        var lines = CliRun.Of("snapshots", "--db", _dir.File("web2.db")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("    id  uid ", lines[0]);
        var uid = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Matches("^[0-9a-f]{8}$", uid);
        // web2's snapshot 1 is the fleet's snapshot 3 (web1's two came first): the uid finds it in both.
        var inFleet = CliRun.Of("show", uid, "--db", fleet, "--json");
        Assert.Equal(0, inFleet.ExitCode);
        Assert.Equal(CliRun.Of("show", "1", "--db", _dir.File("web2.db"), "--json").Stdout, inFleet.Stdout);
        Assert.Contains(uid, CliRun.Of("snapshots", "--db", fleet).Stdout.Split('\n').Single(l => l.Contains("web2")));
        var diff = CliRun.Of("diff", uid, "2", "--db", fleet);
        Assert.Equal(0, diff.ExitCode);
        Assert.StartsWith("snapshot 3 (", diff.Stdout);
    }

    [Fact]
    public void ShowHasTheIpcsTimesWithTheYear()
    {
        var db = HostDb("a.db", "web1", "2026-11-22T00:00:00Z");
        var show = CliRun.Of(["show", "--db", db], TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Stdout.Split('\n');
        // Segment 2 of the fixture: attached and detached at 1795240601 (05:56:41 UTC), created at 1795240601.
        Assert.Contains("------ Shared Memory Attach/Detach/Change Times --------", show);
        Assert.Contains("2          0      2026-11-21 06:56:41 CET     2026-11-21 06:56:41 CET     2026-11-21 06:56:41 CET", show);
        Assert.Contains("0          33     never                       2026-11-21 06:55:00 CET", show);
        Assert.Contains(show, l => l.StartsWith("0          1000   2026-11-21 06:56:35 CET     never ", StringComparison.Ordinal));
        Assert.Contains("------ Message Queues Send/Recv/Change Times --------", show);
    }

    [Fact]
    public void DiffVerboseSaysWhatWasRead()
    {
        var db = HostDb("web1.db", "web1", "2026-11-20T00:00:00Z", "2026-11-20T00:10:00Z");
        var run = CliRun.Of("diff", "1", "2", "--db", db, "-v");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l == $"ipcaudit: database {db}");
        Assert.Contains(run.StderrLines, l => l.StartsWith("ipcaudit: from: snapshot 1 (uid ", StringComparison.Ordinal) && l.Contains("of host web1, taken 2026-11-20"));
        Assert.Contains(run.StderrLines, l => l.StartsWith("ipcaudit: 0 added, 0 removed, 0 changed; read and compared in ", StringComparison.Ordinal));
        Assert.Equal("", CliRun.Of("diff", "1", "2", "--db", db).Stderr);
    }

    [Fact]
    public void ATimeWithoutAZoneIsALocalTime()
    {
        var db = HostDb("web1.db", "web1", "2026-11-20T00:00:00Z", "2026-11-20T00:10:00Z");
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // 01:05 in Berlin is 00:05 UTC: the first snapshot; read as UTC it would have been the second.
        var local = CliRun.Of(["show", "2026-11-20T01:05", "--db", db], berlin);
        Assert.Contains("snapshot 1 ", local.Stdout);
        Assert.Contains("snapshot 2 ", CliRun.Of(["show", "2026-11-20T01:05Z", "--db", db], berlin).Stdout);
        Assert.Contains("snapshot 1 ", CliRun.Of(["show", "2026-11-20T01:05+01:00", "--db", db], TimeZoneInfo.Utc).Stdout);

        var collect = CliRun.Of(["collect", "-q", "--db", _dir.File("b.db"), "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-20T08:00", "--json"], berlin);
        Assert.Contains("\"taken_at\": \"2026-11-20T07:00:00.000Z\"", collect.Stdout);
        Assert.Contains("without a zone", CliRun.Of("report", "--help").Stdout);
    }

    [Fact]
    public void ATimeThatDoesNotExistLocallyIsOneLine()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var run = CliRun.Of(["report", "--db", HostDb("a.db", "web1", "2026-11-20T00:00:00Z"), "--since", "2026-03-29T02:30"], berlin);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("does not exist in the local zone Europe/Berlin", Assert.Single(run.StderrLines));
    }

    [Theory]
    [InlineData("reprot", "ipcaudit: unknown command 'reprot' (did you mean `report`?)")]
    [InlineData("snapshot", "ipcaudit: unknown command 'snapshot' (did you mean `snapshots`?)")]
    [InlineData("report --sinse 7d --format json", "ipcaudit: unknown option '--sinse' for `ipcaudit report` (did you mean `--since`?)")]
    [InlineData("show --jsn", "ipcaudit: unknown option '--jsn' for `ipcaudit show` (did you mean `--json`?)")]
    [InlineData("collect --proc-rot /proc", "ipcaudit: unknown option '--proc-rot' for `ipcaudit collect` (did you mean `--proc-root`?)")]
    [InlineData("frobnicate", "ipcaudit: unknown command 'frobnicate' (valid: collect, snapshots, show, merge, ship, prune, report, diff, reap; see `ipcaudit --help`)")]
    [InlineData("", "ipcaudit: no command given: one of collect, snapshots, show, merge, ship, prune, report, diff, reap (see `ipcaudit --help`)")]
    public void AMistypedCommandOrOptionIsOneLineWithTheClosestName(string line, string expected)
    {
        var run = CliRun.Of(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(expected, Assert.Single(run.StderrLines));
    }

    [Fact]
    public void CollectRefusesValuesThatWouldBeStoredWrong()
    {
        string[] fixture = ["collect", "--db", _dir.File("a.db"), "--at", "2026-11-20T00:00:00Z"];
        var empty = CliRun.Of([.. fixture, "--proc-root", TestPaths.ProcFixture("modern"), "--host", ""]);
        Assert.Equal(ExitCodes.BadInput, empty.ExitCode);
        Assert.Contains("--host: '' is not a host name", Assert.Single(empty.StderrLines));
        var missing = CliRun.Of([.. fixture, "--proc-root", "/nonexistent"]);
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.Equal("ipcaudit: --proc-root: /nonexistent is not a directory (give /proc, or a saved copy of it)", Assert.Single(missing.StderrLines));
        Assert.False(File.Exists(_dir.File("a.db")));
    }

    [Fact]
    public void MergeWithAMissingSourceLeavesNoTargetBehind()
    {
        var fleet = _dir.File("fleet.db");
        var run = CliRun.Of("merge", "--db", fleet, HostDb("web1.db", "web1", "2026-11-20T00:00:00Z"), _dir.File("nope.db"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("nope.db: no such database", Assert.Single(run.StderrLines));
        Assert.False(File.Exists(fleet));
    }

    /// <summary>How a fleet file reaches reviewers: on a read-only mount, or readable but not writable by them.</summary>
    [KernelFact]
    public void ReadersReadADatabaseTheyCannotWrite()
    {
        var folder = _dir.File("ro");
        Directory.CreateDirectory(folder);
        var db = HostDb("ro/a.db", "web1", "2026-11-20T00:00:00Z", "2026-11-20T00:10:00Z");
        string[] readers =
        [
            $"snapshots --db {db}", $"show --db {db}", $"diff 1 2 --db {db}",
            $"report --db {db} --since 2026-11-19T00:00:00Z --until 2026-11-21T00:00:00Z --format json",
        ];
        var script = string.Join('\n', readers.Select(r => $"\"$DOTNET\" exec \"$CLI\" {r} > /dev/null"));
        var readOnlyMount = BoundedProcess.Bash($"mount --bind {folder} {folder}\nmount -o remount,bind,ro {folder}\n{script}",
            TimeSpan.FromSeconds(120), wrapper: ["unshare", "--mount"]);
        Assert.True(readOnlyMount.ExitCode == 0, readOnlyMount.Stderr);
        Assert.Equal("", readOnlyMount.Stderr);

        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(folder, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(db, (UnixFileMode)0x1A4);
        var reader = BoundedProcess.Bash(string.Join('\n', readers.Select(r =>
            $"setpriv --reuid=65534 --regid=65534 --clear-groups \"$DOTNET\" exec \"$CLI\" {r} > /dev/null")), TimeSpan.FromSeconds(120));
        Assert.True(reader.ExitCode == 0, reader.Stderr);
        Assert.Equal("", reader.Stderr);
    }
}
