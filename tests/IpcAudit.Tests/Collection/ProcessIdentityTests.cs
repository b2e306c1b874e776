using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Collection;

/// <summary>
/// Processes as the collector records them, from fake /proc trees through `collect` into the store:
/// identity (pid + start ticks), families, tracking, holders, and the cases where liveness is unknown.
/// </summary>
public sealed class ProcessIdentityTests : IDisposable
{
    private const long Btime = 1795200000;              // 2026-11-20T18:40:00Z
    private const string T1 = "2026-11-20T20:00:00Z";   // btime + 4800 s
    private const string T2 = "2026-11-20T20:05:00Z";
    private const string T3 = "2026-11-20T20:10:00Z";
    private static readonly long Ctime = Btime + 3000;   // objects made after every process below started

    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Db => _dir.File("p.db");

    private FakeProc Tree(ulong? ns = null) => new(_dir.File("proc"), Btime, ns);

    private CliRun Collect(FakeProc proc, string at) => CliRun.Of("collect", "--db", Db, "--proc-root", proc.Root, "--at", at);

    private void CollectOk(FakeProc proc, string at)
    {
        var run = Collect(proc, at);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    private List<object?[]> Rows(string sql) => StoredRows.Of(Db, sql);

    /// <summary>A queue last sent to by <paramref name="lspid"/>, owned by uid 1000.</summary>
    private static void QueueUsedBy(FakeProc proc, int lspid) =>
        proc.Queues(FakeProc.MsgRow(1, 0x51, lspid, 0, 1000, 1000, Ctime + 10, 0, Ctime, qnum: 1));

    [Fact]
    public void ClockStepBetweenSnapshotsKeepsOneSpanPerLiveProcess()
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, ppid: 1, uid: 1000);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        proc.Btime(Btime + 30);   // NTP stepped the clock: btime (now - uptime) moves, start ticks do not
        CollectOk(proc, T2);

        var spans = Rows("SELECT start_ticks, valid_to FROM processes WHERE pid = 500");
        var span = Assert.Single(spans);
        Assert.Equal(120_000L, span[0]);
        Assert.Null(span[1]);
    }

    [Fact]
    public void PidHoldingAnotherProcessEndsTheOldSpan()
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, uid: 1000);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        proc.Process(500, "worker", startTicks: 470_000, uid: 1000);   // exited; the pid was reused
        CollectOk(proc, T2);

        var spans = Rows("SELECT start_ticks, valid_to IS NULL FROM processes WHERE pid = 500 ORDER BY start_ticks");
        Assert.Equal([120_000L, 0L], spans[0]);
        Assert.Equal([470_000L, 1L], spans[1]);
    }

    [Fact]
    public void ParentIsRecordedOneLevelUpAndServiceManagersAreNotFamily()
    {
        var proc = Tree()
            .Process(400, "httpd", startTicks: 100_000, ppid: 1, uid: 0)
            .Process(500, "httpd", startTicks: 200_000, ppid: 400, uid: 33)
            .Process(300, "systemd", startTicks: 90_000, ppid: 1, uid: 1000)
            .Process(510, "fakeroot", startTicks: 210_000, ppid: 300, uid: 1000);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 500, 510, 33, 33, Ctime + 10, Ctime + 20, Ctime, qnum: 1));
        CollectOk(proc, T1);

        var rows = Rows("SELECT pid, ppid, parent_start_ticks, start_ticks FROM processes ORDER BY pid")
            .ToDictionary(r => (long)r[0]!);
        // The child names its parent (pid and start ticks); the parent is a process of its own, whose
        // own parent (pid 1) is no family.
        Assert.Equal([500L, 400L, 100_000L, 200_000L], rows[500]);
        Assert.Equal([400L, 1L, null, 100_000L], rows[400]);
        // A `systemd --user` manager adopts orphans: not family, and not recorded for it.
        Assert.Equal([510L, 300L, null, 210_000L], rows[510]);
        Assert.False(rows.ContainsKey(300));
    }

    [Fact]
    public void EveryTrackedProcessIsRecheckedAndClosesWhenItExits()
    {
        var proc = Tree()
            .Process(400, "httpd", startTicks: 100_000, ppid: 1)
            .Process(500, "httpd", startTicks: 200_000, ppid: 400, uid: 33);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        QueueUsedBy(proc, 0);         // nothing names 500 or 400 any more; both live on
        CollectOk(proc, T2);
        Assert.Equal(2L, Rows("SELECT count(*) FROM processes WHERE valid_to IS NULL")[0][0]);

        proc.Remove(500);             // the child exits; its parent lives on
        CollectOk(proc, T3);
        var open = Rows("SELECT pid FROM processes WHERE valid_to IS NULL").Select(r => (long)r[0]!);
        Assert.Equal([400L], open);
    }

    [Fact]
    public void OldestLiveProcessOfEachOwnerIsRecordedAsHolder()
    {
        var proc = Tree()
            .Process(1, "init", startTicks: 10, ppid: 0)
            .Process(2, "kthreadd", startTicks: 10, ppid: 0, flags: 0x208040)
            .Process(30, "kworker/0:1", startTicks: 20, ppid: 2, flags: 0x4208060)
            .Process(300, "systemd", startTicks: 50_000, ppid: 1, uid: 1000)
            .Process(601, "sleepd", startTicks: 60_000, ppid: 300, uid: 1000)
            .Process(602, "sleepd", startTicks: 80_000, ppid: 601, uid: 1000)
            .Process(700, "cron", startTicks: 5_000, ppid: 1, uid: 0);
        // Owner 1000, creator 0; nobody the queue names is alive.
        proc.Queues(FakeProc.MsgRow(1, 0x51, 4242, 0, 1000, 0, Ctime + 10, 0, Ctime, qnum: 1));
        CollectOk(proc, T1);

        var pids = Rows("SELECT pid FROM processes ORDER BY pid").Select(r => (long)r[0]!);
        // 601 for uid 1000 (not its systemd --user manager), 700 for uid 0 (not init, kthreadd or a kernel thread).
        Assert.Equal([601L, 700L], pids);
    }

    [Fact]
    public void NonDumpableProcessIsAHolderOfItsRealUid()
    {
        // A daemon's child after setuid(33): /proc/PID is owned by root, status says uid 33.
        var proc = Tree()
            .Process(700, "cron", startTicks: 5_000, ppid: 1, uid: 0)
            .Process(610, "apache2", startTicks: 60_000, ppid: 1, uid: 33, owner: 0);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 4242, 0, 33, 33, Ctime + 10, 0, Ctime, qnum: 1));
        CollectOk(proc, T1);

        Assert.Equal([610L], Rows("SELECT pid FROM processes WHERE uid = 33").Select(r => (long)r[0]!));
    }

    [Fact]
    public void ZombieLeaderWithLiveThreadsIsAliveAndAttached()
    {
        var proc = Tree(FakeProc.OtherNamespace)
            .Process(800, "engine", startTicks: 200_000, state: 'Z', threads: 2, uid: 1000)   // no maps, no ns link
            .Thread(800, 800, "engine", 200_000, maps: "")
            .Thread(800, 801, "engine", 200_001, maps: FakeProc.ShmMapsLine(7, 0x77), ipcNamespace: FakeProc.OtherNamespace);
        proc.Segments(FakeProc.ShmRow(7, 0x77, 800, 800, 1, 1000, Ctime));
        var run = CliRun.Of("collect", "--db", Db, "--proc-root", proc.Root, "--at", T1, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var doc = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var shm = Assert.Single(doc.RootElement.GetProperty("shm").EnumerateArray());
        Assert.Equal([800], shm.GetProperty("attached_pids").EnumerateArray().Select(p => p.GetInt32()));
        var p800 = doc.RootElement.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == 800);
        Assert.True(p800.GetProperty("alive").GetBoolean());
        Assert.Equal(200_000, p800.GetProperty("start_ticks").GetInt64());
        Assert.Equal(1, p800.GetProperty("ppid").GetInt32());
        Assert.Single(Rows("SELECT pid FROM processes WHERE pid = 800 AND valid_to IS NULL"));
    }

    [Fact]
    public void CollectorInAChildPidNamespaceRecordsLivenessUnknown()
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, uid: 1000);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        proc.Write("self/status", "Name:\tipcaudit\nNSpid:\t4711\t12\n");
        proc.Remove(500);   // invisible from here, not dead
        var run = Collect(proc, T2);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("child PID namespace", run.Stderr);
        var step = Assert.Single(Rows("SELECT succeeded, note FROM snapshot_steps st JOIN snapshots s USING (snapshot_id) " +
                                      $"WHERE st.step = 'processes' AND s.taken_at = {DateTimeOffset.Parse(T2).ToUnixTimeMilliseconds()}"));
        Assert.Equal(0L, step[0]);
        Assert.Contains("liveness unknown", (string)step[1]!);
        Assert.Null(Assert.Single(Rows("SELECT valid_to FROM processes WHERE pid = 500"))[0]);
    }

    [Theory]
    [InlineData("btime \n", "not a number: ''")]
    [InlineData("btime -1\n", "not a number: '-1'")]
    [InlineData("btime abc\n", "not a number: 'abc'")]
    [InlineData("btime 1e3\n", "not a number: '1e3'")]
    [InlineData("btime 18446744073709551616\n", "not a number: '18446744073709551616'")]
    [InlineData("btime 253402300800\n", "out of range")]
    [InlineData("processes 9\n", "no 'btime' line")]
    public void MalformedBtimeIsBadInputAndStoresNothing(string btimeLine, string detail)
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, uid: 1000);
        QueueUsedBy(proc, 500);
        proc.Write("stat", "cpu  1 2 3 4\n" + btimeLine);
        var run = Collect(proc, T1);

        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains($"{proc.Root}/stat:", line);
        Assert.Contains("field 'btime'", line);
        Assert.Contains(detail, line);
        Assert.False(File.Exists(Db) && Rows("SELECT count(*) FROM snapshots")[0][0] is not 0L);
    }

    [Fact]
    public void MissingProcStatMakesLivenessUnknownNotDead()
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, uid: 1000);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        File.Delete(Path.Combine(proc.Root, "stat"));
        var run = Collect(proc, T2);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("no boot time, liveness unknown", run.Stderr);
        Assert.Null(Assert.Single(Rows("SELECT valid_to FROM processes WHERE pid = 500"))[0]);
    }

    [Theory]
    [InlineData("92233720368547")]          // ~9.2e13 ticks: year 31000, where DateTimeOffset overflowed
    [InlineData("9223372036854775808")]     // 2^63: no longer a SQLite INTEGER
    [InlineData("18446744073709551616")]    // 2^64: no longer a ulong
    public void StartTimeBeyondAnyClockMakesThatProcessUnknownNotACrash(string ticks)
    {
        var proc = Tree().Process(500, "worker", startTicks: 120_000, uid: 1000);
        QueueUsedBy(proc, 500);
        CollectOk(proc, T1);
        proc.Process(500, "worker", startTicks: 0, uid: 1000);
        var stat = Path.Combine(proc.Root, "500", "stat");
        File.WriteAllText(stat, File.ReadAllText(stat).Replace(" 0 2404352 ", $" {ticks} 2404352 "));
        var run = Collect(proc, T2);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("could not be identified", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Null(Assert.Single(Rows("SELECT valid_to FROM processes WHERE pid = 500"))[0]);
    }
}

/// <summary>IPC namespace inodes are reused: a later namespace of the same inode is a context of its own.</summary>
public sealed class NamespaceGenerationTests : IDisposable
{
    private const long Btime = 1795200000;   // 2026-11-20T18:40:00Z
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Db => _dir.File("ns.db");

    private void CollectOk(FakeProc proc, string at)
    {
        var run = CliRun.Of("collect", "--db", Db, "--proc-root", proc.Root, "--at", at);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }

    private List<(string Key, long Generation, long Snapshots)> Contexts() => StoredRows.Of(Db,
            "SELECT natural_key, ns_generation, (SELECT count(*) FROM snapshots s WHERE s.context_id = c.context_id) FROM contexts c ORDER BY context_id")
        .Select(r => ((string)r[0]!, (long)r[1]!, (long)r[2]!)).ToList();

    /// <summary>A namespace whose shell started at btime + 1000 s and made queue 1 at btime + 3000 s; collected at 20:00.</summary>
    private FakeProc FirstNamespace()
    {
        var proc = new FakeProc(_dir.File("proc"), Btime, FakeProc.OtherNamespace)
            .Process(900, "sh", startTicks: 100_000, uid: 1000, ipcNamespace: FakeProc.OtherNamespace);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 900, 0, 1000, 1000, Btime + 3010, 0, Btime + 3000, qnum: 1));
        CollectOk(proc, "2026-11-20T20:00:00Z");
        return proc;
    }

    [Fact]
    public void LaterNamespaceOnTheSameInodeIsANewGeneration()
    {
        var proc = FirstNamespace();
        // That namespace ended; a new one got its inode: its oldest process started at 20:01:40, its
        // queue 1 is another (made at 20:02:30).
        proc.Remove(900);
        proc.Process(950, "sh", startTicks: 490_000, uid: 1000, ipcNamespace: FakeProc.OtherNamespace);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 950, 0, 1000, 1000, Btime + 4960, 0, Btime + 4950, qnum: 1));
        CollectOk(proc, "2026-11-20T20:05:00Z");
        CollectOk(proc, "2026-11-20T20:10:00Z");   // the same new namespace: no third generation

        var contexts = Contexts();
        Assert.Equal(2, contexts.Count);
        Assert.Equal((0L, 1L), (contexts[0].Generation, contexts[0].Snapshots));
        Assert.Equal((1L, 2L), (contexts[1].Generation, contexts[1].Snapshots));
        Assert.Equal(contexts[0].Key + "|g1", contexts[1].Key);
        Assert.EndsWith($"|{FakeProc.OtherNamespace}", contexts[0].Key);   // generation 0 keeps the schema 1 key
    }

    [Fact]
    public void NamespaceWhoseFirstProcessLivesOnStaysOneContext()
    {
        var proc = FirstNamespace();
        proc.Process(950, "sh", startTicks: 490_000, uid: 1000, ipcNamespace: FakeProc.OtherNamespace);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 950, 0, 1000, 1000, Btime + 4960, 0, Btime + 4950, qnum: 1));
        CollectOk(proc, "2026-11-20T20:05:00Z");

        Assert.Equal([0L], Contexts().Select(c => c.Generation));
    }

    [Fact]
    public void NamespaceThatStillHoldsAnObjectOfTheOldStaysOneContext()
    {
        var proc = FirstNamespace();
        proc.Remove(900);
        proc.Process(950, "sh", startTicks: 490_000, uid: 1000, ipcNamespace: FakeProc.OtherNamespace);
        CollectOk(proc, "2026-11-20T20:05:00Z");   // queue 1 of 19:30 is still there

        Assert.Equal([0L], Contexts().Select(c => c.Generation));
    }
}
