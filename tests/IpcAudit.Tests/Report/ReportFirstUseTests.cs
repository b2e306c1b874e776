using System.Text.Json;
using IpcAudit.Collector;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

/// <summary>`report` as a reviewer and a CI check use it: what it says on stderr, where it writes, what the CSV carries.</summary>
public sealed class ReportFirstUseTests : IDisposable
{
    private readonly HistoryFixture _history = new();
    public void Dispose() => _history.Dispose();

    private const string Since = "2026-10-31T00:00:00Z", Until = "2026-11-03T00:00:00Z";

    private CliRun Report(params string[] extra) => CliRun.Of(["report", "--db", _history.Db, "--since", Since, "--until", Until, .. extra]);

    /// <summary>db1 holds an orphaned segment for 30 h; web1 fills 9 of 10 SHMMNI slots and grows a queue a little.</summary>
    private void Save()
    {
        var limits = Build(T0).Limits with { Shmmni = 10 };
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: Enumerable.Range(0, 9).Select(i => Shm(i, cpid: 100)).ToList(),
            msg: [Msg(1, qnum: (ulong)h)], limits: limits, processes: [Alive(100)]));
        _history.SaveHourly(Hours(0, 30), h => Build(H(h), shm: [Shm(1, cpid: 4711)], host: Host("db1")));
    }

    [Fact]
    public void FailOnSaysOnStderrWhatItFailedOn()
    {
        Save();
        var run = Report("--fail-on", "orphans,pressure", "--format", "json");
        Assert.Equal(ExitCodes.FindingsPresent, run.ExitCode);
        JsonDocument.Parse(run.Stdout).Dispose();
        // The queue that was never read is an orphan too; the segment holds more bytes for longer.
        Assert.Equal(
        [
            "ipcaudit: --fail-on orphans: 2 orphaned objects (1 shm, 1 msg); worst: db1 shm 1 (64 KiB, orphaned 1d 6h), `ipcrm -m 1`",
            "ipcaudit: --fail-on pressure: SHMMNI on web1 at 90.0 % (at or above 90 % at the end of the window)",
        ], run.StderrLines);
        // Even with -q: it is the reason for the exit code.
        Assert.Equal(2, Report("--fail-on", "orphans,pressure", "-q").StderrLines.Length);
        Assert.Empty(Report("--fail-on", "pressure", "--host", "db1").StderrLines);
    }

    [Fact]
    public void VerboseSaysWhatWasRead()
    {
        Save();
        var run = Report("-v", "--format", "json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"ipcaudit: database {_history.Db}", run.StderrLines[0]);
        Assert.StartsWith("ipcaudit: window 2026-10-31 ", run.StderrLines[1]);
        Assert.EndsWith("; hosts all; orphans from 24h", run.StderrLines[1]);
        Assert.Matches(@"^ipcaudit: read 62 snapshots of 2 hosts \(db1, web1\) in [0-9.]+ m?s: 2 orphans, ", run.StderrLines[2]);
        Assert.StartsWith("ipcaudit: wrote stdout in ", run.StderrLines[3]);
    }

    [Fact]
    public void OutputDashIsStdoutAndAMissingFolderIsRefused()
    {
        Save();
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
        Save();
        var run = Report("--format", "html", "--output", "/proc/r.html");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("ipcaudit: /proc/r.html: cannot write", line);
        Assert.DoesNotContain(".tmp", line);
    }

    [Fact]
    public void OneCsvSectionGoesToStdoutOrAFileWithTheWindowHostsAndTime()
    {
        Save();
        var run = Report("--format", "csv", "--section", "orphans");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^# ipcaudit report orphans; window 2026-10-31T00:00:00\.000Z to 2026-11-03T00:00:00\.000Z; 62 snapshots; hosts db1 web1; generated 20\d\d-\d\d-\d\dT[0-9:.]+Z$", lines[0]);
        Assert.StartsWith("host,kind,id,key,", lines[1]);
        Assert.StartsWith("db1,shm,1,", lines[2]);
        Assert.StartsWith("web1,msg,1,", lines[3]);
        Assert.Equal(4, lines.Length);

        var file = Path.Combine(_history.Folder, "pressure.csv");
        Assert.Equal(0, Report("--format", "csv", "--section", "pressure", "--output", file).ExitCode);
        Assert.StartsWith("# ipcaudit report pressure; window ", File.ReadAllText(file));
        Assert.Contains("\r\nweb1,SHMMNI,9,10,90,90,", File.ReadAllText(file));

        Assert.Contains("give --output FOLDER, or --section NAME", Report("--format", "csv").Stderr);
        Assert.Contains("--section: 'leaks' is not one of orphans, growth, pressure, churn", Report("--format", "csv", "--section", "leaks").Stderr);
        Assert.Contains("use it with --format csv", Report("--format", "json", "--section", "orphans").Stderr);
    }

    [Fact]
    public void CsvAndJsonCarryTheSameRoundedSlopes()
    {
        Save();
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
