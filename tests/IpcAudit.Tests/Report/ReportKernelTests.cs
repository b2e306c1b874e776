using System.Globalization;
using System.Text;
using System.Text.Json;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report;

/// <summary>
/// Real objects in a private IPC namespace (`unshare --ipc`), collected several times with `--at`
/// hours apart, then `ipcaudit report --format json`: the report's verdicts on what the kernel holds.
/// </summary>
internal sealed class ReportScenario
{
    // A limit against hangs, not a timing: a loaded 2-core machine runs the week scenario in minutes.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    private readonly StringBuilder _script = new();
    private int _steps;

    /// <summary>
    /// The first collection's time; later ones are hours after it. Two minutes after the scenario is
    /// built, so the kernel operations of the set-up steps fall before it, as they would in a real history.
    /// </summary>
    public DateTimeOffset T0 { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 120);

    public ReportScenario Sysctl(string name, string value)
    {
        _script.AppendLine($"echo '{value}' > /proc/sys/kernel/{name}");
        return this;
    }

    /// <summary>An ipc_scenario.py step; returns its index in <see cref="ReportRun.Made"/> and the shell variable of its id.</summary>
    public (int Index, string Id) Step(string arguments)
    {
        var index = _steps++;
        _script.AppendLine(ScenarioShell.Step(index, arguments));
        return (index, $"$id{index}");
    }

    /// <summary>A line of the scenario's bash script as it is (kill, sleep).</summary>
    public ReportScenario Shell(string line)
    {
        _script.AppendLine(line);
        return this;
    }

    public ReportScenario CollectAt(double hours)
    {
        _script.AppendLine($"timeout 60 \"$DOTNET\" exec \"$CLI\" collect --allow-future --db \"$WORK/h.db\" --at {Iso(T0.AddHours(hours))}");
        return this;
    }

    /// <summary>Runs `report` with these arguments over [T0 − 1 min, T0 + <paramref name="untilHours"/>] into NAME.json and NAME.rc.</summary>
    public ReportScenario Report(string name, double untilHours, string arguments)
    {
        _script.AppendLine($"rc=0; timeout 60 \"$DOTNET\" exec \"$CLI\" report --db \"$WORK/h.db\" --since {Iso(T0.AddMinutes(-1))} " +
                           $"--until {Iso(T0.AddHours(untilHours))} --format json --output {name}.json {arguments} 2> {name}.err || rc=$?; echo $rc > {name}.rc");
        return this;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ReportRun Run()
    {
        using var work = new TempDirectory();
        ScenarioShell.Run(work, _script.ToString(), Timeout, "report scenario");
        return new ReportRun(work.Path, ScenarioShell.Tail(work.File("script.log")));
    }
}

/// <summary>What a report scenario left: each step's JSON line and each report's document and exit code.</summary>
internal sealed class ReportRun
{
    public IReadOnlyList<JsonElement> Made { get; }
    private readonly Dictionary<string, (JsonElement Json, int ExitCode, string Stderr)> _reports = [];

    public ReportRun(string dir, string log)
    {
        Made = File.ReadLines(Path.Combine(dir, "made.jsonl")).Where(l => l.Length > 0)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); }).ToList();
        foreach (var rc in Directory.EnumerateFiles(dir, "*.rc"))
        {
            var name = Path.GetFileNameWithoutExtension(rc);
            var json = Path.Combine(dir, name + ".json");
            var stderr = File.ReadAllText(Path.Combine(dir, name + ".err"));
            if (!File.Exists(json)) throw new InvalidOperationException($"report {name} wrote nothing: {stderr}\n{log}");
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            _reports[name] = (doc.RootElement.Clone(), int.Parse(File.ReadAllText(rc).Trim(), CultureInfo.InvariantCulture), stderr);
        }
    }

    public int IdOf(int step) => Made[step].GetProperty("id").GetInt32();

    public (JsonElement Json, int ExitCode, string Stderr) Report(string name) => _reports[name];
}

public sealed class OrphanReportScenario
{
    internal readonly int Leaked, Attached, Doomed, LeakedSem, WaitedSem, Backlog, Drained;
    private readonly Lazy<ReportRun> _run;
    internal ReportScenario Scenario { get; } = new();
    internal ReportRun Run => _run.Value;

    public OrphanReportScenario()
    {
        // The leaks are a service user's (uid 4242, as a daemon's user would be): no other process of
        // that uid lives, so nothing else could hold them. Root's live processes (the attacher, the
        // waiter) could hold a root object whose users were never seen: see VerdictKernelTests.
        var s = Scenario;
        Leaked = s.Step("--as 4242 shm --key 0x51 --size 65536").Index;           // creator exits with the step
        var attached = s.Step("shm --key 0x52 --size 4096");
        s.Step($"shm-attach --id {attached.Id}");                                // a live process keeps it attached
        var doomed = s.Step("shm --key 0x53 --size 4096");
        s.Step($"shm-attach --id {doomed.Id}");
        s.Step($"shm-rmid --id {doomed.Id}");                                    // destroyed while attached: dest
        LeakedSem = s.Step("--as 4242 sem --key 0x61 --nsems 2 --values 1,1").Index; // SETVAL by a process that exits
        var waited = s.Step("sem --key 0x62 --nsems 1 --values 0");
        s.Step($"sem-wait --id {waited.Id} --num 0 --op -1");                    // a live waiter blocks on it
        Backlog = s.Step("--as 4242 msg --key 0x71 --count 3 --size 100").Index; // the writer exits, nobody reads
        var drained = s.Step("msg --key 0x72 --count 2 --size 10");
        s.Step($"msg-recv --id {drained.Id} --count 2");
        (Attached, Doomed, WaitedSem, Drained) = (attached.Index, doomed.Index, waited.Index, drained.Index);
        foreach (var hours in new[] { 0, 1, 2, 26 }) s.CollectAt(hours);
        s.Report("day", 26.5, "--orphan-age 24h --fail-on orphans");
        s.Report("young", 26.5, "--orphan-age 27h --fail-on orphans");
        _run = new(() => Scenario.Run());
    }
}

public sealed class PressureReportScenario
{
    private readonly Lazy<ReportRun> _run;
    internal ReportRun Run => _run.Value;

    public PressureReportScenario()
    {
        var s = new ReportScenario().Sysctl("shmmni", "10");
        for (var i = 0; i < 9; i++) s.Step($"shm --key 0x{0x80 + i:x} --size 4096");
        s.CollectAt(0).CollectAt(1);
        s.Report("pressure", 2, "--fail-on pressure");
        _run = new(() => s.Run());
    }
}

[Trait("Category", "Kernel")]
public sealed class ReportKernelTests(OrphanReportScenario orphans, PressureReportScenario pressure)
    : IClassFixture<OrphanReportScenario>, IClassFixture<PressureReportScenario>
{
    private static JsonElement[] Orphans(JsonElement report) => report.GetProperty("orphans").EnumerateArray().ToArray();

    [KernelFact]
    public void ReportCallsExactlyTheLeakedSegmentArrayAndQueueOrphans()
    {
        var run = orphans.Run;
        var (report, exitCode, stderr) = run.Report("day");

        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        var found = Orphans(report).Select(o => (o.GetProperty("kind").GetString()!, o.GetProperty("id").GetInt32())).Order().ToList();
        Assert.Equal(new[] { ("msg", run.IdOf(orphans.Backlog)), ("sem", run.IdOf(orphans.LeakedSem)), ("shm", run.IdOf(orphans.Leaked)) }, found);
    }

    [KernelFact]
    public void OrphanAgesRunFromTheFirstSnapshotToTheLast()
    {
        var (report, _, _) = orphans.Run.Report("day");

        Assert.All(Orphans(report), o =>
        {
            Assert.Equal(26 * 3600, o.GetProperty("age_seconds").GetInt64());
            Assert.Equal(orphans.Scenario.T0, DateTimeOffset.Parse(o.GetProperty("orphaned_since").GetString()!, CultureInfo.InvariantCulture));
            Assert.False(o.GetProperty("creator_alive").GetBoolean());
        });
        var shm = Orphans(report).Single(o => o.GetProperty("kind").GetString() == "shm");
        Assert.Equal("0x00000051", shm.GetProperty("key").GetString());
        Assert.Equal(65536UL, shm.GetProperty("bytes").GetUInt64());
        Assert.Equal($"ipcrm -m {orphans.Run.IdOf(orphans.Leaked)}", shm.GetProperty("suggested_command").GetString());
        Assert.Equal(300UL, Orphans(report).Single(o => o.GetProperty("kind").GetString() == "msg").GetProperty("bytes").GetUInt64());
    }

    [KernelFact]
    public void NothingIsAnOrphanBeforeTheThreshold()
    {
        var (report, exitCode, _) = orphans.Run.Report("young");

        Assert.Equal(0, exitCode);
        Assert.Empty(Orphans(report));
        Assert.Equal(4, report.GetProperty("window").GetProperty("snapshots").GetInt32());
    }

    [KernelFact]
    public void ShmmniOfTheNamespaceFilledToNineOfTenIsNinetyPercent()
    {
        var (report, exitCode, stderr) = pressure.Run.Report("pressure");

        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        var shmmni = report.GetProperty("pressure").EnumerateArray().Single(p => p.GetProperty("limit").GetString() == "SHMMNI");
        Assert.Equal(9UL, shmmni.GetProperty("used").GetUInt64());
        Assert.Equal(10UL, shmmni.GetProperty("max").GetUInt64());
        Assert.Equal(90.0, shmmni.GetProperty("percent").GetDouble());
        Assert.Equal(3600, shmmni.GetProperty("seconds_above_90").GetInt64());
        var shmall = report.GetProperty("pressure").EnumerateArray().Single(p => p.GetProperty("limit").GetString() == "SHMALL");
        Assert.Equal(9UL, shmall.GetProperty("used").GetUInt64());
    }
}
