using System.Globalization;
using IpcAudit.Collector.Output;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>`collect --textfile DIR`: what node_exporter's textfile collector reads, checked by promtool.</summary>
public sealed class TextfileMetricsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Prom => _dir.File("ipcaudit.prom");

    private CliRun CollectFixture(params string[] extra) => CliRun.Of(
        ["collect", "--db", _dir.File("a.db"), "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-21T06:00:00Z", "--textfile", _dir.Path, .. extra]);

    /// <summary>"name{labels}" → value, for every sample line.</summary>
    private static Dictionary<string, string> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);

    [RequiredToolFact("promtool", "prometheus")]
    public void FixtureMetricsPassPromtool()
    {
        Assert.Equal(0, CollectFixture().ExitCode);
        var check = PromtoolCheck(Prom);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Equal("", (check.Stdout + check.Stderr).Trim());
    }

    [RequiredToolFact("promtool", "prometheus")]
    public void LiveHostMetricsPassPromtool()
    {
        // Reads this host's /proc and IPC namespace; creates nothing.
        var run = CliRun.Of("collect", "--db", _dir.File("live.db"), "--textfile", _dir.Path, "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var check = PromtoolCheck(Prom);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        var samples = Samples(File.ReadAllText(Prom));
        Assert.Contains("ipcaudit_shm_pages_resident", samples.Keys); // live syscalls answered
        Assert.Equal("1", samples["ipcaudit_collector_step_success{step=\"usage\"}"]);
    }

    [Fact]
    public void FixtureMetricsAreNamedAndValuedAsDocumented()
    {
        var run = CollectFixture();
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var text = File.ReadAllText(Prom);
        var samples = Samples(text);

        Assert.Equal("5", samples["ipcaudit_shm_segments"]);
        Assert.Equal("3223552", samples["ipcaudit_shm_bytes"]);
        Assert.Equal("787", samples["ipcaudit_shm_pages_allocated"]); // each segment rounded up to 4 KiB pages
        Assert.Equal("2", samples["ipcaudit_sem_arrays"]);
        Assert.Equal("4", samples["ipcaudit_sem_semaphores"]);
        Assert.Equal("2", samples["ipcaudit_msg_queues"]);
        Assert.Equal("2", samples["ipcaudit_msg_messages"]);
        Assert.Equal("120", samples["ipcaudit_msg_bytes"]);
        Assert.Equal("4096", samples["ipcaudit_limit{name=\"SHMMNI\"}"]);
        Assert.Equal("1.8446744073692774e+19", samples["ipcaudit_limit{name=\"SHMALL\"}"]);
        Assert.Equal(10, samples.Keys.Count(k => k.StartsWith("ipcaudit_limit{", StringComparison.Ordinal)));
        Assert.Equal("1795240800", samples["ipcaudit_collector_last_success_timestamp_seconds"]);
        Assert.Equal("1", samples["ipcaudit_collector_step_success{step=\"shm\"}"]);
        Assert.Equal("1", samples["ipcaudit_collector_step_success{step=\"store\"}"]);
        // A saved /proc has no live kernel behind it: incomplete, and the usage-only values are absent, not 0.
        Assert.Equal("0", samples["ipcaudit_collector_step_success{step=\"usage\"}"]);
        Assert.DoesNotContain("ipcaudit_shm_pages_resident", samples.Keys);
        Assert.All(samples.Keys.Where(k => k.StartsWith("ipcaudit_collector_step_duration_seconds", StringComparison.Ordinal)),
            k => Assert.InRange(double.Parse(samples[k], CultureInfo.InvariantCulture), 0, 60));

        // Every family has HELP and TYPE gauge before its samples.
        foreach (var family in samples.Keys.Select(k => k.Split('{')[0]).Distinct())
        {
            Assert.Contains($"# HELP {family} ", text);
            Assert.Contains($"# TYPE {family} gauge\n{family}", text);
        }
    }

    [Fact]
    public void OrphanMetricsAgreeWithTheReport()
    {
        // The fixture's segment 4 (creator dead, never attached) stays for 25 h; queue 0 has no reader, but
        // its sender 4100 lives, so it is in use, not orphaned.
        foreach (var at in new[] { "2026-11-20T05:00:00Z", "2026-11-20T17:00:00Z", "2026-11-21T06:00:00Z" })
            Assert.Equal(0, CliRun.Of("collect", "--db", _dir.File("a.db"), "--proc-root", TestPaths.ProcFixture("modern"), "--at", at,
                "--textfile", _dir.Path, "-q").ExitCode);
        var samples = Samples(File.ReadAllText(Prom));

        var report = CliRun.Of("report", "--db", _dir.File("a.db"), "--since", "2026-11-19T00:00:00Z", "--until", "2026-11-21T06:00:00Z", "--format", "json");
        Assert.Equal(0, report.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(report.Stdout);
        var orphans = doc.RootElement.GetProperty("orphans").EnumerateArray().ToList();
        foreach (var kind in new[] { "shm", "sem", "msg" })
        {
            var ofKind = orphans.Where(o => o.GetProperty("kind").GetString() == kind).ToList();
            Assert.Equal(ofKind.Count.ToString(CultureInfo.InvariantCulture), samples[$"ipcaudit_orphans{{kind=\"{kind}\"}}"]);
            Assert.Equal(ofKind.Sum(o => o.GetProperty("bytes").GetInt64()).ToString(CultureInfo.InvariantCulture), samples[$"ipcaudit_orphan_bytes{{kind=\"{kind}\"}}"]);
        }
        Assert.Equal(["1", "0", "0"], new[] { "shm", "sem", "msg" }.Select(k => samples[$"ipcaudit_orphans{{kind=\"{k}\"}}"]));
        Assert.Equal("1", samples["ipcaudit_collector_step_success{step=\"orphans\"}"]);

        // Younger than --orphan-age: not counted yet.
        Assert.Equal(0, CliRun.Of("collect", "--db", _dir.File("a.db"), "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-21T06:05:00Z",
            "--textfile", _dir.Path, "-q", "--orphan-age", "30h").ExitCode);
        Assert.Equal("0", Samples(File.ReadAllText(Prom))["ipcaudit_orphans{kind=\"shm\"}"]);
    }

    [Fact]
    public void TextfileIsReplacedWholeAndReadableByNodeExporter()
    {
        File.WriteAllText(Prom, "stale");
        Assert.Equal(0, CollectFixture().ExitCode);
        Assert.StartsWith("# HELP", File.ReadAllText(Prom));
        // Only the finished file is left; no temp file that node_exporter might read (it reads *.prom).
        Assert.Equal(["a.db", "ipcaudit.prom"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Prom)); // 0644
    }

    [Fact]
    public void MissingTextfileDirectoryFailsAfterStoringTheSnapshot()
    {
        var run = CliRun.Of("collect", "--db", _dir.File("a.db"), "--proc-root", TestPaths.ProcFixture("modern"),
            "--textfile", _dir.File("no-such-dir"), "--quiet");
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("no-such-dir: no such directory (the snapshot itself was stored)", line);
        Assert.Contains("ipc-fixture-01", CliRun.Of("snapshots", "--db", _dir.File("a.db")).Stdout);
    }

    [Theory]
    [InlineData(0d, "0")]
    [InlineData(4096d, "4096")]
    [InlineData(9007199254740992d, "9007199254740992")]
    [InlineData(18446744073692774399d, "1.8446744073692774e+19")]
    [InlineData(0.000412, "0.000412")]
    [InlineData(1e-7, "1e-07")]
    public void ValuesAreWrittenAsFloat64TheParserAccepts(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextfile.FormatValue(value));

    private static BoundedProcess PromtoolCheck(string file) =>
        BoundedProcess.Run("bash", ["-c", "\"$PROMTOOL\" check metrics < \"$FILE\""], TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["PROMTOOL"] = RequiredTool.Require("promtool", "prometheus"), ["FILE"] = file });
}
