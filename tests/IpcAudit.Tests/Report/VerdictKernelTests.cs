using System.Globalization;
using System.Text.Json;
using IpcAudit.Tests.Kernel;
using Xunit;

namespace IpcAudit.Tests.Report;

/// <summary>
/// Real programs in a private IPC namespace, collected with `--at` hours apart while they run: a
/// root daemon whose children operate on its arrays and exit (Apache's pattern), an array held by a
/// live process that never operated on it, a segment an hourly job attaches to between snapshots, a
/// queue a short consumer drains while producers refill it, a service user's server that is killed
/// with its children, and an empty queue whose users are gone. The service user is uid 4242.
/// </summary>
public sealed class VerdictScenario
{
    internal readonly int Killed, EmptyQueue, RootServer, Held, Touched, Drained;
    private readonly Lazy<ReportRun> _run;
    internal ReportScenario Scenario { get; } = new();
    internal ReportRun Run => _run.Value;

    public VerdictScenario()
    {
        var s = Scenario;
        // Made first: the holder below is a live uid-4242 process, and it must not predate these.
        var killed = s.Step("--as 4242 server --sems 1 --every 0.3 --linger 1.5");  // children live 1.5 s: some are seen
        var empty = s.Step("--as 4242 msg --count 1 --size 8");
        s.Step($"--as 4242 msg-recv --id {empty.Id} --count 1");                   // sender and receiver gone: empty
        var root = s.Step("server --sems 2 --owner 4242 --burst 3");                // root daemon, arrays chowned to 4242
        var touched = s.Step("--as 4242 shm --size 65536");                          // creator exits at once
        var drained = s.Step("--as 4242 msg --count 2 --size 32");
        // The holder is a live uid-4242 process: 3 s later, past the 2 s start-time tolerance against the
        // (whole-second) ctimes of the objects above, so it cannot pass for their creator.
        s.Shell("sleep 3");
        var held = s.Step("--as 4242 sem-hold --nsems 1");                          // never operated on; holder lives
        (Killed, EmptyQueue, RootServer, Held, Touched, Drained) = (killed.Index, empty.Index, root.Index, held.Index, touched.Index, drained.Index);

        void Hour()
        {
            s.Step($"--as 4242 shm-touch --id {touched.Id}");                       // the hourly job
            s.Step($"--as 4242 msg-send --id {drained.Id} --count 2");              // producers
            s.Step($"--as 4242 msg-recv --id {drained.Id} --count 2");              // the consumer
        }

        s.Shell("sleep 1");
        s.CollectAt(0);
        foreach (var h in new[] { 1, 2 }) { Hour(); s.CollectAt(h); }
        s.Shell($"kill -9 -- -$(sed -n 's/.*\"pid\": \\([0-9]*\\).*/\\1/p' <<< \"$(sed -n '{killed.Index + 1}p' made.jsonl)\")");
        s.Shell("sleep 0.5");
        foreach (var h in new[] { 3, 27 }) { Hour(); s.CollectAt(h); }
        s.Report("day", 27.5, "--orphan-age 24h");
        _run = new(() => Scenario.Run());
    }
}

[Trait("Category", "Kernel")]
public sealed class VerdictKernelTests(VerdictScenario scenario) : IClassFixture<VerdictScenario>
{
    private static JsonElement[] Section(JsonElement report, string name) => report.GetProperty(name).EnumerateArray().ToArray();

    private static JsonElement? Find(JsonElement report, string section, string kind, int id) =>
        Section(report, section).Cast<JsonElement?>().FirstOrDefault(o => o!.Value.GetProperty("kind").GetString() == kind && o.Value.GetProperty("id").GetInt32() == id);

    private static string[] Strings(JsonElement finding, string name) =>
        finding.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    [KernelFact]
    public void OnlyTheKilledServersArrayAndTheEmptyQueueAreOrphans()
    {
        var run = scenario.Run;
        var (report, exitCode, stderr) = run.Report("day");
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        var found = Section(report, "orphans").Select(o => (o.GetProperty("kind").GetString()!, o.GetProperty("id").GetInt32())).Order().ToList();
        Assert.Equal(new[] { ("msg", run.IdOf(scenario.EmptyQueue)), ("sem", run.IdOf(scenario.Killed)) }.Order(), found);
    }

    [KernelFact]
    public void ArraysOfALiveRootDaemonWhoseChildrenExitedAreNeverOrphans()
    {
        var run = scenario.Run;
        var (report, _, _) = run.Report("day");
        foreach (var id in run.Made[scenario.RootServer].GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()))
        {
            Assert.Null(Find(report, "orphans", "sem", id));
            var idle = Find(report, "idle", "sem", id) ?? throw new Xunit.Sdk.XunitException($"array {id} is neither orphan nor idle");
            Assert.Equal(JsonValueKind.Null, idle.GetProperty("suggested_command").ValueKind);
            Assert.Contains(Strings(idle, "missing"), m => m.Contains("of uid 0 is alive and started", StringComparison.Ordinal));
        }
    }

    [KernelFact]
    public void AnArrayNobodyOperatedOnIsIdleWhileItsHolderLives()
    {
        var run = scenario.Run;
        var idle = Find(run.Report("day").Json, "idle", "sem", run.IdOf(scenario.Held)) ?? throw new Xunit.Sdk.XunitException("held array not idle");
        Assert.Contains(Strings(idle, "missing"), m => m.StartsWith("no process was ever recorded using it", StringComparison.Ordinal));
    }

    [KernelFact]
    public void ASegmentAShortJobAttachesBetweenSnapshotsAndADrainedQueueStayInUse()
    {
        var run = scenario.Run;
        var (report, _, _) = run.Report("day");
        foreach (var section in new[] { "orphans", "idle" })
        {
            Assert.Null(Find(report, section, "shm", run.IdOf(scenario.Touched)));
            Assert.Null(Find(report, section, "msg", run.IdOf(scenario.Drained)));
        }
    }

    [KernelFact]
    public void TheKilledServersArrayIsAgedFromTheFirstSnapshotAfterTheKillWithItsEvidence()
    {
        var run = scenario.Run;
        var report = run.Report("day").Json;
        var orphan = Find(report, "orphans", "sem", run.IdOf(scenario.Killed))
                     ?? throw new Xunit.Sdk.XunitException($"not an orphan: {Find(report, "idle", "sem", run.IdOf(scenario.Killed))}");
        Assert.Equal(scenario.Scenario.T0.AddHours(3), DateTimeOffset.Parse(orphan.GetProperty("orphaned_since").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(24 * 3600, orphan.GetProperty("age_seconds").GetInt64());
        Assert.Equal($"ipcrm -s {run.IdOf(scenario.Killed)}", orphan.GetProperty("suggested_command").GetString());
        var evidence = Strings(orphan, "evidence");
        var server = run.Made[scenario.Killed].GetProperty("pid").GetInt32();
        // A child was seen alive with its semop; its parent, the server, was recorded and is gone.
        Assert.Contains(evidence, e => e.StartsWith("last semop pid ", StringComparison.Ordinal) && e.Contains(" was seen alive from "));
        Assert.Contains(evidence, e => e.StartsWith($"its parent pid {server} (", StringComparison.Ordinal) && e.Contains(" had exited by "));
        Assert.Empty(Strings(orphan, "missing"));
    }
}

/// <summary>
/// A week of a realistic server, compressed: snapshots stamped twelve hours apart (`--at`) while the
/// programs run for real between them. A service user's server whose recycled children use its
/// System V semaphores, an hourly job attaching to a segment, a consumer draining a queue. A report
/// over the week finds no orphan; after the server and its children are killed, exactly its arrays.
/// </summary>
public sealed class ServerWeekScenario
{
    internal readonly int Server, Segment, Queue;
    private readonly Lazy<ReportRun> _run;
    internal ReportScenario Scenario { get; } = new();
    internal ReportRun Run => _run.Value;

    public ServerWeekScenario()
    {
        var s = Scenario;
        var server = s.Step("--as 4242 server --sems 3 --every 0.2 --linger 1");
        var segment = s.Step("--as 4242 shm --size 1048576");
        var queue = s.Step("--as 4242 msg --count 4 --size 64");
        (Server, Segment, Queue) = (server.Index, segment.Index, queue.Index);

        void Jobs()
        {
            s.Step($"--as 4242 shm-touch --id {segment.Id}");
            s.Step($"--as 4242 msg-send --id {queue.Id} --count 3");
            s.Step($"--as 4242 msg-recv --id {queue.Id} --count 3");
        }

        s.Shell("sleep 1");
        for (var h = 0; h <= 168; h += 12) { Jobs(); s.CollectAt(h); }
        s.Report("week", 168.5, "--orphan-age 24h --fail-on orphans");
        s.Shell($"kill -9 -- -$(sed -n 's/.*\"pid\": \\([0-9]*\\).*/\\1/p' <<< \"$(sed -n '{server.Index + 1}p' made.jsonl)\")");
        s.Shell("sleep 0.5");
        for (var h = 180; h <= 204; h += 12) { Jobs(); s.CollectAt(h); }
        s.Report("after", 204.5, "--orphan-age 24h --fail-on orphans");
        _run = new(() => Scenario.Run());
    }
}

[Trait("Category", "Kernel")]
public sealed class ServerWeekKernelTests(ServerWeekScenario week) : IClassFixture<ServerWeekScenario>
{
    [KernelFact]
    public void AWeekOfARunningServerReportsNoOrphan()
    {
        var (report, exitCode, stderr) = week.Run.Report("week");
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.Empty(report.GetProperty("orphans").EnumerateArray());
        Assert.Equal(15, report.GetProperty("window").GetProperty("snapshots").GetInt32());
    }

    [KernelFact]
    public void AfterTheServerIsKilledExactlyItsArraysAreOrphansWithAgeAndEvidence()
    {
        var run = week.Run;
        var (report, exitCode, stderr) = run.Report("after");
        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        var arrays = run.Made[week.Server].GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).Order().ToList();
        var orphans = report.GetProperty("orphans").EnumerateArray().ToList();
        Assert.Equal(arrays.Select(id => ("sem", id)), orphans.Select(o => (o.GetProperty("kind").GetString()!, o.GetProperty("id").GetInt32())).Order());
        Assert.All(orphans, o =>
        {
            // Killed between the snapshots of hours 168 and 180: orphaned from 180, 24 h at 204.
            Assert.Equal(week.Scenario.T0.AddHours(180), DateTimeOffset.Parse(o.GetProperty("orphaned_since").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(24 * 3600, o.GetProperty("age_seconds").GetInt64());
            var evidence = o.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains(evidence, e => e.Contains(" was seen alive from "));
            Assert.Contains(evidence, e => e.StartsWith("liveness read at the last snapshot", StringComparison.Ordinal));
        });
    }
}
