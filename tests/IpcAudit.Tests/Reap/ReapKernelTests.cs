using System.Globalization;
using System.Text;
using System.Text.Json;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Reap;

/// <summary>
/// `reap` against the real kernel in a private IPC namespace: a service user's (uid 4242) leaked
/// segment, array and queue, and two more leaked segments for the races, beside a root segment a live
/// process keeps attached (in use), a root segment that is idle (root's shell outlives it) and an array
/// a live uid-4242 process holds (idle). History is three snapshots over 26 hours (`--at`); each reap
/// takes its own snapshot an hour later than the one before. Between decision and removal (the
/// IPCAUDIT_REAP_TEST_HOOK seam) one segment gets attached and another is replaced under the same id.
/// </summary>
public sealed class ReapScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    internal readonly int LeakedShm, LeakedSem, LeakedMsg, Attached, Replaced, InUse, IdleShm, Held;
    internal IReadOnlyList<JsonElement> Made { get; private set; } = [];
    internal Dictionary<string, string> Files { get; } = [];
    private readonly Lazy<bool> _ran;
    private readonly DateTimeOffset _t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 120);

    public ReapScenario()
    {
        var script = new StringBuilder();
        var steps = 0;
        int Step(string arguments)
        {
            script.AppendLine(ScenarioShell.Step(steps, arguments));
            return steps++;
        }
        string Cli(string arguments) => $"timeout 60 \"$DOTNET\" exec \"$CLI\" {arguments}";
        void Reap(string name, double hours, string arguments, string env = "") =>
            script.AppendLine($"rc=0; {env} {Cli($"reap --db \"$WORK/h.db\" --at {Iso(hours)} --json {arguments}")} > {name}.json 2> {name}.err || rc=$?; echo $rc > {name}.rc");

        LeakedShm = Step("--as 4242 shm --key 0x51 --size 65536");
        LeakedSem = Step("--as 4242 sem --key 0x61 --nsems 2 --values 1,1");
        LeakedMsg = Step("--as 4242 msg --key 0x71 --count 3 --size 100");
        Attached = Step("--as 4242 shm --key 0x55 --size 4096");
        Replaced = Step("--as 4242 shm --key 0x56 --size 4096");
        InUse = Step("shm --key 0x52 --size 4096");
        Step($"shm-attach --id $id{InUse}");
        IdleShm = Step("shm --key 0x53 --size 4096");
        // Made last, and 3 s later: a live uid-4242 process must not predate the leaks, and one started within
        // the 2 s start-time tolerance of an object's ctime (whole seconds) counts as possibly its creator.
        script.AppendLine("sleep 3");
        Held = Step("--as 4242 sem-hold --nsems 1");
        script.AppendLine("sleep 1");
        foreach (var h in new[] { 0, 1, 26 }) script.AppendLine(Cli($"collect --allow-future --db \"$WORK/h.db\" --at {Iso(h)}"));

        script.AppendLine("ipcs > ipcs-before.txt");
        Reap("dry", 27, "");
        script.AppendLine("ipcs > ipcs-after-dry.txt");
        script.AppendLine($"{Cli("reap --db \"$WORK/h.db\" --log --json")} > log-after-dry.json");

        // Between decision and removal: a process attaches the segment; another replaces it under the same id.
        Reap("attached", 28, $"--yes --kind shm --id $id{Attached}",
            "IPCAUDIT_REAP_TEST_HOOK='python3 \"$SCENARIO\" shm-attach --id $IPCAUDIT_REAP_ID >> made-in-hook.jsonl'");
        Reap("replaced", 29, $"--yes --id $id{Replaced} --kind shm",
            "IPCAUDIT_REAP_TEST_HOOK='ipcrm -m $IPCAUDIT_REAP_ID && echo $IPCAUDIT_REAP_ID > /proc/sys/kernel/shm_next_id && python3 \"$SCENARIO\" shm --key 0x57 --size 4096 >> made-in-hook.jsonl'");
        Reap("all", 30, "--yes");
        script.AppendLine("ipcs > ipcs-after.txt");
        script.AppendLine(Cli($"collect --allow-future --db \"$WORK/h.db\" --at {Iso(31)}"));
        script.AppendLine(Cli($"report --db \"$WORK/h.db\" --since {Iso(-0.1)} --until {Iso(31.5)} --format json --output report.json"));
        script.AppendLine($"{Cli("reap --db \"$WORK/h.db\" --log --json")} > log.json");
        script.AppendLine($"{Cli("reap --db \"$WORK/h.db\" --log")} > log.txt");
        // A non-root run is refused before anything happens (no snapshot, no removal).
        script.AppendLine($"chmod 0755 \"$WORK\"; rc=0; HOME=\"$WORK\" setpriv --reuid=65534 --regid=65534 --clear-groups {Cli("reap --db \"$WORK/h.db\" --yes")} > nonroot.out 2> nonroot.err || rc=$?; echo $rc > nonroot.rc");
        script.AppendLine("ipcs > ipcs-end.txt");

        _ran = new(() =>
        {
            using var work = new TempDirectory();
            ScenarioShell.Run(work, script.ToString(), Timeout, "reap scenario");
            Made = File.ReadLines(work.File("made.jsonl")).Where(l => l.Length > 0)
                .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); }).ToList();
            foreach (var file in Directory.EnumerateFiles(work.Path))
                Files[Path.GetFileName(file)] = File.ReadAllText(file);
            return true;
        });
    }

    private string Iso(double hours) => _t0.AddHours(hours).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal void Run() => _ = _ran.Value;

    internal int IdOf(int step) => Made[step].GetProperty("id").GetInt32();

    internal (JsonElement Json, int ExitCode, string Stderr) Reap(string name)
    {
        Run();
        using var doc = JsonDocument.Parse(Files[name + ".json"]);
        return (doc.RootElement.Clone(), int.Parse(Files[name + ".rc"].Trim(), CultureInfo.InvariantCulture), Files[name + ".err"]);
    }

    internal JsonElement Json(string file)
    {
        Run();
        using var doc = JsonDocument.Parse(Files[file]);
        return doc.RootElement.Clone();
    }
}

[Trait("Category", "Kernel")]
public sealed class ReapKernelTests(ReapScenario s) : IClassFixture<ReapScenario>
{
    private static List<(string Kind, int Id)> Objects(JsonElement doc, string list) =>
        doc.GetProperty(list).EnumerateArray().Select(o => (o.GetProperty("kind").GetString()!, o.GetProperty("id").GetInt32())).Order().ToList();

    /// <summary>Lines of `ipcs` output naming a key, e.g. "0x00000051 0 4242 600 65536 0".</summary>
    private static List<string> Keys(string ipcs) =>
        ipcs.Split('\n').Where(l => l.StartsWith("0x", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).Order().ToList();

    [KernelFact]
    public void ADryRunListsTheOrphansAndChangesNothing()
    {
        var (dry, exitCode, stderr) = s.Reap("dry");
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        var expected = new[] { ("msg", s.IdOf(s.LeakedMsg)), ("sem", s.IdOf(s.LeakedSem)), ("shm", s.IdOf(s.LeakedShm)), ("shm", s.IdOf(s.Attached)), ("shm", s.IdOf(s.Replaced)) };
        Assert.Equal(expected.Order(), Objects(dry, "would_remove"));
        Assert.Empty(Objects(dry, "removed"));
        Assert.All(dry.GetProperty("would_remove").EnumerateArray(), o =>
        {
            Assert.Equal("orphan", o.GetProperty("verdict").GetString());
            Assert.NotEmpty(o.GetProperty("evidence").EnumerateArray());
        });
        Assert.Equal(s.Files["ipcs-before.txt"], s.Files["ipcs-after-dry.txt"]);
        Assert.Empty(s.Json("log-after-dry.json").GetProperty("log").EnumerateArray());
    }

    [KernelFact]
    public void IdleObjectsAreKeptWhateverTheFilters()
    {
        var (dry, _, _) = s.Reap("dry");
        var kept = Objects(dry, "kept");
        Assert.Contains(("shm", s.IdOf(s.IdleShm)), kept);
        Assert.Contains(("sem", s.IdOf(s.Held)), kept);
        Assert.DoesNotContain(("shm", s.IdOf(s.InUse)), kept);      // in use: not even listed
    }

    [KernelFact]
    public void ASegmentAttachedBetweenDecisionAndRemovalIsSkipped()
    {
        var (run, exitCode, stderr) = s.Reap("attached");
        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        Assert.Empty(Objects(run, "removed"));
        var skipped = Assert.Single(run.GetProperty("skipped").EnumerateArray());
        Assert.Equal(s.IdOf(s.Attached), skipped.GetProperty("id").GetInt32());
        Assert.StartsWith("attached now", skipped.GetProperty("reap_reason").GetString());
        Assert.Contains("0x00000055", Keys(s.Files["ipcs-end.txt"]));
    }

    [KernelFact]
    public void AnIdReusedByANewObjectBetweenDecisionAndRemovalIsSkipped()
    {
        var (run, exitCode, stderr) = s.Reap("replaced");
        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        Assert.Empty(Objects(run, "removed"));
        var skipped = Assert.Single(run.GetProperty("skipped").EnumerateArray());
        Assert.Equal(s.IdOf(s.Replaced), skipped.GetProperty("id").GetInt32());
        Assert.StartsWith("another object holds the id now (key 0x00000057", skipped.GetProperty("reap_reason").GetString());
        // The new object under the old id is still there; the old key is gone (the hook removed it).
        var ipcs = s.Files["ipcs-end.txt"];
        Assert.Contains(ipcs.Split('\n'), l => l.StartsWith("0x00000057 ", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == s.IdOf(s.Replaced).ToString(CultureInfo.InvariantCulture));
    }

    [KernelFact]
    public void YesRemovesExactlyTheOrphansAndIpcsShowsTheRestStayed()
    {
        var (run, exitCode, stderr) = s.Reap("all");
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.Equal(new[] { ("msg", s.IdOf(s.LeakedMsg)), ("sem", s.IdOf(s.LeakedSem)), ("shm", s.IdOf(s.LeakedShm)) }.Order(), Objects(run, "removed"));
        Assert.Empty(Objects(run, "skipped"));
        // Removed: 0x51, 0x61, 0x71; 0x56 by the hook. Stayed: in use (0x52), idle (0x53), attached since (0x55), the new 0x57, the held array (private key).
        var before = Keys(s.Files["ipcs-before.txt"]);
        var after = Keys(s.Files["ipcs-after.txt"]);
        Assert.Equal(before.Except(["0x00000051", "0x00000061", "0x00000071", "0x00000056"]).Append("0x00000057").Order(), after);
    }

    [KernelFact]
    public void TheLogListsEveryRemovalAndSkipWithItsEvidence()
    {
        s.Run();
        var log = s.Json("log.json").GetProperty("log").EnumerateArray().ToList();
        var outcomes = log.Select(e => (e.GetProperty("outcome").GetString()!, e.GetProperty("kind").GetString()!, e.GetProperty("id").GetInt32())).Order().ToList();
        Assert.Equal(new[]
        {
            ("removed", "msg", s.IdOf(s.LeakedMsg)), ("removed", "sem", s.IdOf(s.LeakedSem)), ("removed", "shm", s.IdOf(s.LeakedShm)),
            ("skipped", "shm", s.IdOf(s.Attached)), ("skipped", "shm", s.IdOf(s.Replaced)),
        }.Order(), outcomes);
        Assert.All(log, e =>
        {
            Assert.Equal(0, e.GetProperty("by_uid").GetInt32());
            Assert.NotEmpty(e.GetProperty("evidence").EnumerateArray());
            Assert.Equal(e.GetProperty("outcome").GetString() == "removed", e.GetProperty("reason").ValueKind == JsonValueKind.Null);
        });
        Assert.Contains(s.Files["log.txt"].Split('\n'), l => l.Contains($" removed shm {s.IdOf(s.LeakedShm)} key 0x00000051 owner 4242 ", StringComparison.Ordinal));
    }

    [KernelFact]
    public void TheReportsChurnCountsReapedObjectsApartFromOtherRemovals()
    {
        s.Run();
        var churn = s.Json("report.json").GetProperty("churn").EnumerateArray()
            .ToDictionary(c => c.GetProperty("kind").GetString()!, c => (Removed: c.GetProperty("removed").GetInt32(), Reaped: c.GetProperty("reaped").GetInt32(),
                Vanished: c.GetProperty("vanished_while_used").GetInt32()));
        // shm: the leaked segment (reaped) and the one the hook removed (not reaped).
        Assert.Equal((2, 1, 0), churn["shm"]);
        Assert.Equal((1, 1, 0), churn["sem"]);
        Assert.Equal((1, 1, 0), churn["msg"]);
    }

    [KernelFact]
    public void ANonRootRunIsRefusedWithOneLineAndExitOne()
    {
        s.Run();
        Assert.Equal("1", s.Files["nonroot.rc"].Trim());
        Assert.Equal("", s.Files["nonroot.out"]);
        var line = Assert.Single(s.Files["nonroot.err"].Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ipcaudit: reap removes other users' IPC objects", line);
        Assert.Equal(s.Files["ipcs-after.txt"], s.Files["ipcs-end.txt"]);
    }
}
