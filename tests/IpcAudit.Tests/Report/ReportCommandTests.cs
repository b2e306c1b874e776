using System.Security.Cryptography;
using System.Text.Json;
using IpcAudit.Collector;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

/// <summary>`ipcaudit report` as an administrator or a monitoring script runs it.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    private const string Since = "2026-10-31T00:00:00Z", Until = "2026-11-03T00:00:00Z";

    private CliRun Report(params string[] extra) =>
        CliRun.Of(["report", "--db", _history.Db, "--since", Since, "--until", Until, .. extra]);

    private void SaveOrphanAndNearlyFullShmmni()
    {
        var limits = Build(T0).Limits with { Shmmni = 10 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: Enumerable.Range(0, 9).Select(i => Shm(i, cpid: 100)).ToList(),
            limits: limits, processes: [Alive(100)]));
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 4711)], host: Host("db1")));
    }

    [Theory]
    [InlineData("--since", "yesterday", "--since: 'yesterday' is not a duration like 90m, 24h, 7d, 4w, or an ISO-8601 time")]
    [InlineData("--until", "7x", "--until: '7x' is not a duration like 90m, 24h, 7d, 4w, or an ISO-8601 time")]
    [InlineData("--format", "xml", "--format: 'xml' is not one of table, csv, json, html")]
    [InlineData("--fail-on", "orphans,leaks", "--fail-on: 'leaks' is not one of orphans, pressure")]
    [InlineData("--orphan-age", "a day", "--orphan-age: 'a day' is not a duration")]
    public void BadArgumentIsOneLineNamingWhatIsAcceptedAndExitsThree(string option, string value, string message)
    {
        SaveOrphanAndNearlyFullShmmni();
        var run = CliRun.Of(["report", "--db", _history.Db, option, value]);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.StartsWith("ipcaudit: " + message, Assert.Single(run.StderrLines));
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void CsvWithoutAnOutputFolderIsRefused()
    {
        SaveOrphanAndNearlyFullShmmni();
        var run = Report("--format", "csv");

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("give --output FOLDER", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void WindowThatEndsBeforeItStartsIsRefused()
    {
        SaveOrphanAndNearlyFullShmmni();
        var run = CliRun.Of(["report", "--db", _history.Db, "--since", Until, "--until", Since]);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("must be before --until", Assert.Single(run.StderrLines));
    }

    [Fact]
    public void JsonDocumentHasTheFixedSectionsAndTypes()
    {
        SaveOrphanAndNearlyFullShmmni();
        var run = Report("--format", "json", "--host", "web1");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(["window", "orphans", "idle", "growth", "pressure", "churn"], root.EnumerateObject().Select(p => p.Name));
        var window = root.GetProperty("window");
        Assert.Equal("2026-10-31T00:00:00.000Z", window.GetProperty("since").GetString());
        Assert.Equal(31, window.GetProperty("snapshots").GetInt32());
        Assert.Equal(["web1"], window.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Empty(root.GetProperty("orphans").EnumerateArray());
        var shmmni = root.GetProperty("pressure").EnumerateArray().First(p => p.GetProperty("limit").GetString() == "SHMMNI");
        Assert.Equal(9UL, shmmni.GetProperty("used").GetUInt64());
        Assert.Equal(90.0, shmmni.GetProperty("percent").GetDouble());
        Assert.Equal(JsonValueKind.Null, shmmni.GetProperty("projected_exhaustion").ValueKind);
        var growth = root.GetProperty("growth").EnumerateArray().Single();
        Assert.Equal(["host", "namespace", "namespace_label", "kind", "owner", "start_count", "end_count", "start_bytes", "end_bytes", "count_slope_per_day",
            "bytes_slope_per_day", "created", "removed"], growth.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["host", "namespace", "namespace_label", "kind", "created", "removed", "vanished_while_used", "sys_uid_max", "sys_uid_max_assumed", "reaped"],
            root.GetProperty("churn").EnumerateArray().First().EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void JsonGoesToTheOutputFileWhenGiven()
    {
        SaveOrphanAndNearlyFullShmmni();
        var file = Path.Combine(_history.Folder, "out", "report.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var run = Report("--format", "json", "--output", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var orphan = doc.RootElement.GetProperty("orphans").EnumerateArray().Single();
        Assert.Equal(["verdict", "host", "namespace", "namespace_label", "kind", "id", "key", "owner", "owner_name", "application", "bytes", "first_seen", "unused_since", "orphaned_since", "last_operation",
            "age_seconds", "creator_pid", "creator_alive", "reason", "evidence", "missing", "processes", "suggested_command"], orphan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Array, orphan.GetProperty("evidence").ValueKind);
        Assert.All(orphan.GetProperty("evidence").EnumerateArray(), e => Assert.Equal(JsonValueKind.String, e.ValueKind));
        Assert.Equal("db1", orphan.GetProperty("host").GetString());
        Assert.Equal(30 * 3600, orphan.GetProperty("age_seconds").GetInt64());
        Assert.False(orphan.GetProperty("creator_alive").GetBoolean());
    }

    [Fact]
    public void FailOnOrphansExitsTenWhenAnOrphanIsFound()
    {
        SaveOrphanAndNearlyFullShmmni();

        Assert.Equal(ExitCodes.FindingsPresent, Report("--fail-on", "orphans").ExitCode);
        Assert.Equal(0, Report("--fail-on", "orphans", "--host", "web1").ExitCode);
        Assert.Equal(0, Report("--fail-on", "orphans", "--orphan-age", "2d").ExitCode);
    }

    [Fact]
    public void FailOnPressureExitsTenWhenALimitIsAtNinetyPercent()
    {
        SaveOrphanAndNearlyFullShmmni();

        Assert.Equal(ExitCodes.FindingsPresent, Report("--fail-on", "pressure", "--host", "web1").ExitCode);
        Assert.Equal(0, Report("--fail-on", "pressure", "--host", "db1").ExitCode);
        Assert.Equal(0, Report("--host", "web1").ExitCode);
    }

    [Fact]
    public void ReportNeverChangesTheDatabase()
    {
        SaveOrphanAndNearlyFullShmmni();
        var hash = SHA256.HashData(File.ReadAllBytes(_history.Db));
        var mtime = File.GetLastWriteTimeUtc(_history.Db);

        foreach (var format in new[] { "json", "table", "html" }) Assert.Equal(0, Report("--format", format).ExitCode);
        Assert.Equal(0, Report("--format", "csv", "--output", Path.Combine(_history.Folder, "csv")).ExitCode);

        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(_history.Db)));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(_history.Db));
        // A reader of a WAL database may leave SQLite's side files behind, but never writes a page into them.
        if (File.Exists(_history.Db + "-wal")) Assert.Equal(0, new FileInfo(_history.Db + "-wal").Length);
    }

    [Fact]
    public void EmptyWindowWarnsAndStillWritesAReport()
    {
        SaveOrphanAndNearlyFullShmmni();
        var run = CliRun.Of(["report", "--db", _history.Db, "--since", "2025-01-01T00:00:00Z", "--until", "2025-01-02T00:00:00Z", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("no snapshots between", Assert.Single(run.StderrLines));
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(0, doc.RootElement.GetProperty("window").GetProperty("snapshots").GetInt32());
    }

    [Fact]
    public void MissingDatabaseIsOneLine()
    {
        var run = CliRun.Of(["report", "--db", Path.Combine(_history.Folder, "none.db")]);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("no such database", Assert.Single(run.StderrLines));
    }

    // First use: what a reviewer and a CI check see on stderr, where the output goes, what the CSV carries.

    /// <summary>db1 holds an orphaned segment for 30 h; web1 fills 9 of 10 SHMMNI slots and grows a queue a little.</summary>
    private void SaveOrphanFullShmmniAndAGrowingQueue()
    {
        var limits = Build(T0).Limits with { Shmmni = 10 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: Enumerable.Range(0, 9).Select(i => Shm(i, cpid: 100)).ToList(),
            msg: [Msg(1, qnum: (ulong)h)], limits: limits, processes: [Alive(100)]));
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 4711)], host: Host("db1")));
    }

    [Fact]
    public void FailOnSaysOnStderrWhatItFailedOn()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        var run = Report("--fail-on", "orphans,pressure", "--format", "json");
        Assert.Equal(ExitCodes.FindingsPresent, run.ExitCode);
        JsonDocument.Parse(run.Stdout).Dispose();
        // The queue that was never read keeps filling: a sender uses it, so it is in use, not an orphan.
        Assert.Equal(2, run.StderrLines.Length);
        Assert.StartsWith("ipcaudit: --fail-on orphans: 1 orphaned object (1 shm); worst: db1 shm 1 (64 KiB, orphaned 1d 6h", run.StderrLines[0]);
        Assert.EndsWith("`ipcrm -m 1`", run.StderrLines[0]);
        Assert.Equal("ipcaudit: --fail-on pressure: SHMMNI on web1 at 90.0 % (at or above 90 % at the end of the window)", run.StderrLines[1]);
        // Even with -q: it is the reason for the exit code.
        Assert.Equal(2, Report("--fail-on", "orphans,pressure", "-q").StderrLines.Length);
        Assert.Empty(Report("--fail-on", "pressure", "--host", "db1").StderrLines);
    }

    [Fact]
    public void VerboseSaysWhatWasRead()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        var run = Report("-v", "--format", "json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"ipcaudit: database {_history.Db}", run.StderrLines[0]);
        Assert.StartsWith("ipcaudit: window 2026-10-31 ", run.StderrLines[1]);
        Assert.EndsWith("; hosts all; orphans from 24h", run.StderrLines[1]);
        Assert.Matches(@"^ipcaudit: read 62 snapshots of 2 hosts \(db1, web1\) in [0-9.]+ m?s: 1 orphans?, ", run.StderrLines[2]);
        Assert.StartsWith("ipcaudit: wrote stdout in ", run.StderrLines[3]);
    }

    [Fact]
    public void OutputDashIsStdoutAndAMissingFolderIsRefused()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        var dash = Report("--format", "json", "--output", "-");
        Assert.Equal(0, dash.ExitCode);
        JsonDocument.Parse(dash.Stdout).Dispose();
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "-")));

        var missing = Path.Combine(_history.Folder, "nonexistent", "dir", "r.html");
        var run = Report("--format", "html", "--output", missing);
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Equal($"ipcaudit: --output {missing}: folder {Path.GetDirectoryName(missing)} does not exist (create it first)", Assert.Single(run.StderrLines));
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
        Assert.Equal(ExitCodes.BadInput, Report("--format", "csv", "--output", Path.Combine(_history.Folder, "no", "csv")).ExitCode);
    }

    [Fact]
    public void AnUnwritableOutputNamesThePathNotATempFile()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        var run = Report("--format", "html", "--output", "/proc/r.html");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("ipcaudit: /proc/r.html: cannot write", line);
        Assert.DoesNotContain(".tmp", line);
    }

    [Fact]
    public void OneCsvSectionGoesToStdoutOrAFileWithTheWindowHostsAndTime()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        var run = Report("--format", "csv", "--section", "orphans");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^# ipcaudit report orphans; window 2026-10-31T00:00:00\.000Z to 2026-11-03T00:00:00\.000Z; 62 snapshots; hosts db1 web1; generated 20\d\d-\d\d-\d\dT[0-9:.]+Z$", lines[0]);
        Assert.StartsWith("verdict,host,kind,id,key,", lines[1]);
        Assert.StartsWith("orphan,db1,shm,1,", lines[2]);
        Assert.Equal(3, lines.Length);

        var file = Path.Combine(_history.Folder, "pressure.csv");
        Assert.Equal(0, Report("--format", "csv", "--section", "pressure", "--output", file).ExitCode);
        Assert.StartsWith("# ipcaudit report pressure; window ", File.ReadAllText(file));
        Assert.Contains("\r\nweb1,SHMMNI,9,10,90,90,", File.ReadAllText(file));

        Assert.Contains("give --output FOLDER, or --section NAME", Report("--format", "csv").Stderr);
        Assert.Contains("--section: 'leaks' is not one of orphans, idle, growth, pressure, churn", Report("--format", "csv", "--section", "leaks").Stderr);
        Assert.Contains("use it with --format csv", Report("--format", "json", "--section", "orphans").Stderr);
    }

    [Fact]
    public void CsvAndJsonCarryTheSameRoundedSlopes()
    {
        SaveOrphanFullShmmniAndAGrowingQueue();
        using var json = JsonDocument.Parse(Report("--format", "json").Stdout);
        var growth = json.RootElement.GetProperty("growth").EnumerateArray().Single(g => g.GetProperty("kind").GetString() == "msg");
        var csv = Report("--format", "csv", "--section", "growth").Stdout.Split("\r\n").Single(l => l.StartsWith("web1,msg,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(growth.GetProperty("count_slope_per_day").GetRawText(), csv[7]);
        Assert.Equal(growth.GetProperty("bytes_slope_per_day").GetRawText(), csv[8]);
        Assert.Equal("2400", csv[8]); // 100 bytes an hour: exactly 2400 a day, as the JSON says
        foreach (var line in Report("--format", "csv", "--section", "growth").Stdout.Split("\r\n"))
            Assert.DoesNotContain("E-", line);
    }
}
