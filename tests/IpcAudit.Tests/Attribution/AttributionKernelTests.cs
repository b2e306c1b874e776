using System.Text.Json;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Report;
using Xunit;

namespace IpcAudit.Tests.Attribution;

/// <summary>
/// Real processes in a private IPC namespace: a child that runs in a directory creates a segment keyed
/// by that directory's inode (PostgreSQL 12+'s scheme), inside a systemd-style service cgroup made for
/// it (cgroup v1 name=systemd or v2, where /sys/fs/cgroup is writable), and is killed; a uid-4242 step
/// sets a semaphore and exits before the first snapshot (a short-lived last operator).
/// </summary>
public sealed class AttributionScenario
{
    internal readonly int Segment, Array;
    private readonly Lazy<ReportRun> _run;
    internal ReportScenario Scenario { get; } = new();
    internal ReportRun Run => _run.Value;

    public AttributionScenario()
    {
        var s = Scenario;
        s.Shell("mkdir -p pgdata");
        // A service cgroup of our own, named like a unit, where the hierarchy is writable (CI containers have no systemd-run).
        s.Shell("""
            CG=""; ROOTCG=""
            for base in /sys/fs/cgroup/systemd /sys/fs/cgroup; do
              if [ -f "$base/cgroup.procs" ] && mkdir "$base/ipcaudit-attrib-$$.service" 2>/dev/null; then
                if echo $$ > "$base/ipcaudit-attrib-$$.service/cgroup.procs" 2>/dev/null; then CG="$base/ipcaudit-attrib-$$.service"; ROOTCG="$base"; break; fi
                rmdir "$base/ipcaudit-attrib-$$.service"
              fi
            done
            SELFCG=$(base64 -w0 /proc/$$/cgroup)
            """);
        var segment = s.Step("shm-dir --dir pgdata --size 8192");
        s.Shell("""if [ -n "$ROOTCG" ]; then echo $$ > "$ROOTCG/cgroup.procs"; fi""");
        var array = s.Step("--as 4242 sem --nsems 1 --values 1");                 // SETVAL, then the step exits
        (Segment, Array) = (segment.Index, array.Index);
        s.Shell("sleep 1");
        s.CollectAt(0);
        s.Shell($"kill -9 \"$(sed -n 's/.*\"pid\": \\([0-9]*\\).*/\\1/p' <<< \"$(sed -n '{segment.Index + 1}p' made.jsonl)\")\"");
        s.Shell("sleep 0.5");
        s.Shell("""if [ -n "$CG" ]; then rmdir "$CG" 2>/dev/null || true; fi""");
        foreach (var h in new[] { 1, 26 }) s.CollectAt(h);
        s.Report("day", 26.5, "--orphan-age 24h");
        // After every step's line: what the scenario's cgroup was, and which pids the store recorded as gone.
        s.Shell("""
            GONE=$(sqlite3 "$WORK/h.db" "SELECT group_concat(pid) FROM gone_processes")
            echo "{\"op\": \"facts\", \"cgroup\": \"$CG\", \"self_cgroup\": \"$SELFCG\", \"gone\": [$GONE]}" >> made.jsonl
            """);
        _run = new(() => Scenario.Run());
    }
}

[Trait("Category", "Kernel")]
public sealed class AttributionKernelTests(AttributionScenario scenario) : IClassFixture<AttributionScenario>
{
    private JsonElement Listed(string kind, int step)
    {
        var run = scenario.Run;
        var (report, exitCode, stderr) = run.Report("day");
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        var id = run.IdOf(step);
        return report.GetProperty("orphans").EnumerateArray().Concat(report.GetProperty("idle").EnumerateArray())
            .Single(o => o.GetProperty("kind").GetString() == kind && o.GetProperty("id").GetInt32() == id);
    }

    private JsonElement Facts => scenario.Run.Made[^1];

    [KernelFact]
    public void ASegmentKeyedByADirectorysInodeIsNamedPostgresqlWithTheDirectory()
    {
        var made = scenario.Run.Made[scenario.Segment];
        var row = Listed("shm", scenario.Segment);
        Assert.Equal($"0x{made.GetProperty("key").GetUInt32():x8}", row.GetProperty("key").GetString());
        Assert.Equal("postgresql", row.GetProperty("application").GetString());
        var line = Assert.Single(row.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!), e => e.StartsWith("application:"));
        Assert.Contains("/pgdata, the working directory of pid " + made.GetProperty("pid").GetInt32(), line);
        Assert.Contains("inode", line);
        Assert.Equal("root", row.GetProperty("owner_name").GetString());
    }

    [KernelFact]
    public void TheCreatorsUnitIsReadFromItsCgroupAndKeptAfterItIsGone()
    {
        var made = scenario.Run.Made[scenario.Segment];
        var creator = Listed("shm", scenario.Segment).GetProperty("processes").EnumerateArray()
            .Single(p => p.GetProperty("role").GetString() == "creator");
        Assert.Equal(made.GetProperty("pid").GetInt32(), creator.GetProperty("pid").GetInt32());
        Assert.False(creator.GetProperty("alive").GetBoolean());
        Assert.False(string.IsNullOrEmpty(creator.GetProperty("comm").GetString()));  // as first seen, kept after it died
        var cgroup = Facts.GetProperty("cgroup").GetString()!;
        // Without a writable hierarchy: whatever unit the scenario's own cgroup names (often none, in a container).
        var expected = cgroup.Length > 0
            ? Path.GetFileName(cgroup)
            : CgroupFile.ParsePath(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Facts.GetProperty("self_cgroup").GetString()!))) is { } path
                ? CgroupFile.Classify(path).Unit
                : null;
        Assert.Equal(expected, creator.GetProperty("unit").GetString());
    }

    [KernelFact]
    public void AShortLivedLastOperatorIsRecordedAsGoneAndListed()
    {
        var pid = scenario.Run.Made[scenario.Array].GetProperty("pid").GetInt32();
        Assert.Contains(pid, Facts.GetProperty("gone").EnumerateArray().Select(e => e.GetInt32()));
        var row = Listed("sem", scenario.Array);
        var user = Assert.Single(row.GetProperty("processes").EnumerateArray(), p => p.GetProperty("pid").GetInt32() == pid);
        Assert.Equal("last user", user.GetProperty("role").GetString());
        Assert.False(user.GetProperty("alive").GetBoolean());
        // uid 4242 has no entry in this host's passwd: unknown, never a made-up name.
        Assert.Equal(JsonValueKind.Null, row.GetProperty("owner_name").ValueKind);
    }
}
