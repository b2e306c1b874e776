using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using IpcAudit.Cli;
using IpcAudit.Collector;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>How ipcaudit behaves in a shell, a pipe and cron: stdout for results only, stderr for the rest.</summary>
public sealed class ShellOutputTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Db => _dir.File("a.db");

    /// <summary>The fixture tree always warns: a saved /proc has no live syscalls behind it.</summary>
    private string[] CollectFixture(params string[] extra) =>
        ["collect", "--db", Db, "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-21T06:00:00Z", .. extra];

    [Fact]
    public void JsonStdoutIsPureJsonWhileWarningsGoToStderr()
    {
        // The real process, so nothing the runtime or SQLite might print could hide behind a test writer.
        var run = BoundedProcess.Run(BoundedProcess.Dotnet, ["exec", BoundedProcess.CliDll, .. CollectFixture("--json")], Limit);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Contains("ipcaudit: warning: step usage incomplete", run.Stderr);

        var show = BoundedProcess.Run(BoundedProcess.Dotnet, ["exec", BoundedProcess.CliDll, "show", "--db", Db, "--json", "-v"], Limit);
        Assert.True(show.ExitCode == 0, show.Stderr);
        using var shown = JsonDocument.Parse(show.Stdout);
        Assert.Equal("2026-11-21T06:00:00.000Z", shown.RootElement.GetProperty("taken_at").GetString()); // exported in UTC
        Assert.Contains("ipcaudit: database ", show.Stderr);
    }

    [Fact]
    public void QuietSilencesWarningsButNotErrors()
    {
        var run = CliRun.Of(CollectFixture("--json", "-q"));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        JsonDocument.Parse(run.Stdout).Dispose();

        var failed = CliRun.Of("show", "999", "--db", Db, "--quiet");
        Assert.Equal(ExitCodes.BadInput, failed.ExitCode);
        Assert.Contains("no snapshot matches '999'", Assert.Single(failed.StderrLines));
    }

    [Fact]
    public void VerboseNamesEachStepItsSourceAndDuration()
    {
        var run = CliRun.Of(CollectFixture("-v"));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var proc = TestPaths.ProcFixture("modern");
        Assert.Contains(run.StderrLines, l => Regex.IsMatch(l, @"^ipcaudit: step shm: [\d.]+ (ms|s), ok; read " + Regex.Escape(proc + "/sysvipc/shm") + "$"));
        Assert.Contains(run.StderrLines, l => l.StartsWith("ipcaudit: step attachments: ", StringComparison.Ordinal) && l.EndsWith(proc + "/[pid]/maps", StringComparison.Ordinal));
        Assert.Contains(run.StderrLines, l => l.StartsWith("ipcaudit: step usage: ", StringComparison.Ordinal) && l.Contains("incomplete; read nothing: not a live /proc"));
        Assert.Contains(run.StderrLines, l => l.StartsWith($"ipcaudit: database {Db}", StringComparison.Ordinal));
        Assert.Contains(run.StderrLines, l => l.StartsWith("ipcaudit: stored snapshot 1 of ipc-fixture-01", StringComparison.Ordinal));

        var both = CliRun.Of(CollectFixture("-q", "-v"));
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("--quiet and --verbose cannot be used together", both.Stderr);
    }

    [Theory]
    [InlineData("collect", "--bogus")]
    [InlineData("show", "1", "2")]
    [InlineData("snapshots", "--hots", "db1")]
    public void UsageErrorsAreExitTwoOnStderrOnly(params string[] args)
    {
        var run = CliRun.Of(args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("ipcaudit: ", line);
        Assert.Contains($"ipcaudit {args[0]}", line);
    }

    [Fact]
    public void VersionIsTheInformationalVersion()
    {
        var run = CliRun.Of("--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(CommandTree.Version + "\n", run.Stdout);
        Assert.StartsWith(typeof(CommandTree).Assembly.GetName().Version!.ToString(3), CommandTree.Version);
    }

    [Fact]
    public void EveryCommandsHelpHasAnExampleLine()
    {
        var root = CommandTree.Build(TextWriter.Null, TextWriter.Null);
        Assert.NotEmpty(root.Subcommands);
        foreach (var command in root.Subcommands)
        {
            Assert.Matches($@"\nExample: ipcaudit {command.Name}\b", command.Description);
            var help = CliRun.Of(command.Name, "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains($"Example: ipcaudit {command.Name}", help.Stdout);
        }
        Assert.Contains("Example: ipcaudit collect", CliRun.Of("--help").Stdout);
    }

    [Fact]
    public void ExitCodesAreTheSameInHelpAndReadme()
    {
        var help = CliRun.Of("--help").Stdout;
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var table = readme[readme.IndexOf("### Exit codes", StringComparison.Ordinal)..];
        var documented = Regex.Matches(table, @"^\| (\d+) \|", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(ExitCodes.Meanings.Select(m => m.Code), documented);
        foreach (var (code, meaning) in ExitCodes.Meanings)
            Assert.Matches($@"\n\s+{code}\s+{Regex.Escape(meaning)}\n", help);
    }

    [Fact]
    public void TimesForPeopleAreLocalWithTheZoneNamed()
    {
        Assert.Equal(0, CliRun.Of(CollectFixture("-q")).ExitCode);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var list = CliRun.Of(["snapshots", "--db", Db], berlin);
        Assert.Contains("taken (Europe/Berlin)", list.Stdout);
        Assert.Contains("2026-11-21 07:00:00 CET", list.Stdout);
        Assert.Contains("taken 2026-11-21 07:00:00 CET", CliRun.Of(["show", "--db", Db], berlin).Stdout);

        // The zone comes from TZ, as for any Unix tool.
        var run = BoundedProcess.Run(BoundedProcess.Dotnet, ["exec", BoundedProcess.CliDll, "snapshots", "--db", Db], Limit,
            new Dictionary<string, string> { ["TZ"] = "America/New_York" });
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("taken (America/New_York)", run.Stdout);
        Assert.Contains("2026-11-21 01:00:00 EST", run.Stdout);
    }

    [Fact]
    public void ProgressShowsOnATerminalAndIsClearedBeforeResults()
    {
        var sources = CopiesOfOneHostDatabase(3);
        var run = CliRun.Of(["merge", "--db", _dir.File("fleet.db"), .. sources], zone: null, stderrIsTerminal: true);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\r\u001b[Kmerging 0/3 (0%)", run.Stderr);
        Assert.EndsWith("\r\u001b[K", run.Stderr); // the line is erased, not left behind
        Assert.DoesNotContain('\r', run.Stdout);
        Assert.Equal(3, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var quiet = CliRun.Of(["merge", "--db", _dir.File("fleet2.db"), "-q", .. sources], zone: null, stderrIsTerminal: true);
        Assert.Equal("", quiet.Stderr);
    }

    [Fact]
    public void ReportShowsProgressOnATerminalOnly()
    {
        Assert.Equal(0, CliRun.Of(CollectFixture("-q")).ExitCode);
        string[] report = ["report", "--db", Db, "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-22T00:00:00Z", "--format", "json"];
        var terminal = CliRun.Of(report, zone: null, stderrIsTerminal: true);
        Assert.Equal(0, terminal.ExitCode);
        Assert.Contains("reading history 0/1 (0%) ipc-fixture-01", terminal.Stderr);
        JsonDocument.Parse(terminal.Stdout).Dispose();
        Assert.Equal("", CliRun.Of(report).Stderr);
    }

    [Fact]
    public void NonTerminalRunShowsNoProgress()
    {
        // Enough databases that a terminal would have shown progress; stderr here is a pipe.
        var sources = CopiesOfOneHostDatabase(40);
        var run = BoundedProcess.Run(BoundedProcess.Dotnet, ["exec", BoundedProcess.CliDll, "merge", "--db", _dir.File("fleet.db"), .. sources],
            Limit, new Dictionary<string, string> { ["TERM"] = "xterm" });
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stderr);
        Assert.DoesNotContain('\r', run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout);
        Assert.Equal(40, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private string[] CopiesOfOneHostDatabase(int count)
    {
        Assert.Equal(0, CliRun.Of(CollectFixture("-q")).ExitCode);
        return Enumerable.Range(1, count).Select(i =>
        {
            var copy = _dir.File($"host{i}.db");
            File.Copy(Db, copy);
            return copy;
        }).ToArray();
    }
}
