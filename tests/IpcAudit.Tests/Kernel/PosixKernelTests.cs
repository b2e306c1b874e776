using System.Globalization;
using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// POSIX IPC in a private IPC, mount and PID namespace with its own tmpfs on /dev/shm and its own mqueue
/// mount (nothing on the host is touched; every process in it dies with it): posix_scenario.py makes
/// objects held mapped, held open only, deleted while mapped, held and then killed (leaked, one as
/// "postgres" with a PostgreSQL.NNNN file), and one made by a process that exited before any snapshot.
/// Three snapshots: all holders alive; leakers killed; a few seconds later, unchanged. Then the report.
/// </summary>
public sealed class PosixScenario : IDisposable
{
    private const string Script = """
        set -euo pipefail
        cd "$WORK"
        exec 2> script.log
        set -x
        mount -t tmpfs -o size=64m tmpfs /dev/shm
        mount -t mqueue none /dev/mqueue
        hold() { r=$1; shift; python3 "$SCENARIO" "$@" --ready "$r" & echo $! > "$r.pid"; while [ ! -e "$r" ]; do sleep 0.05; done; }
        hold mapped shm psm_mapped --size 65536 --hold map
        hold open shm psm_open --size 32768 --hold open
        hold deleted shm psm_deleted --size 16384 --hold map --unlink
        hold leaked shm psm_leaked --size 131072 --hold map
        hold postgres shm PostgreSQL.1234 --size 1048576 --hold map --comm postgres
        hold sem sem held_sem --value 3 --hold map
        hold semleak sem leaked_sem --value 5 --hold map
        hold queue mq held_q --messages 2 --maxmsg 6 --msgsize 64 --hold open
        hold queueleak mq leaked_q --messages 1 --hold open
        python3 "$SCENARIO" shm psm_nobody --size 8192
        "$DOTNET" exec "$CLI" collect --db a.db --json > snap1.json
        "$DOTNET" exec "$CLI" show 1 --db a.db --json > show1.json
        "$DOTNET" exec "$CLI" show 1 --db a.db --object posix_shm:PostgreSQL.1234 > show-postgres.txt
        stat -c '%n %s %b %B %u %g %a' /dev/shm/* > stat.txt
        for f in /dev/mqueue/*; do echo "$(basename "$f") $(cat "$f")"; done > mqueue.txt
        for r in mapped open deleted sem queue; do echo "$r $(grep -c ' /dev/shm/' /proc/$(cat $r.pid)/maps || true)"; done > maps.txt
        for r in leaked postgres semleak queueleak; do kill -9 "$(cat $r.pid)"; done
        sleep 1
        "$DOTNET" exec "$CLI" collect --db a.db
        sqlite3 a.db 'SELECT count(*) FROM posix_states' > states2.txt
        sleep 3
        "$DOTNET" exec "$CLI" collect --db a.db
        sqlite3 a.db 'SELECT count(*) FROM posix_states' > states3.txt
        "$DOTNET" exec "$CLI" report --db a.db --orphan-age 2s --format json > report.json
        """;

    private readonly TempDirectory _work = new();
    public string Work => _work.Path;
    public JsonElement Snapshot { get; }
    public JsonElement Report { get; }

    public PosixScenario()
    {
        File.WriteAllText(_work.File("script.sh"), Script);
        var run = BoundedProcess.Run("unshare", ["--ipc", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "bash", _work.File("script.sh")],
            TimeSpan.FromSeconds(90), new Dictionary<string, string>
            {
                ["WORK"] = _work.Path, ["SCENARIO"] = PosixScenarioScript, ["DOTNET"] = BoundedProcess.Dotnet, ["CLI"] = BoundedProcess.CliDll,
            });
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"posix scenario failed (exit {run.ExitCode}):\n{run.Stderr}\n{ScenarioShell.Tail(_work.File("script.log"))}");
        Snapshot = JsonDocument.Parse(File.ReadAllText(_work.File("snap1.json"))).RootElement;
        Report = JsonDocument.Parse(File.ReadAllText(_work.File("report.json"))).RootElement;
    }

    public static readonly string PosixScenarioScript = Path.Combine(TestPaths.RepoRoot, "tests", "IpcAudit.Tests", "Kernel", "posix_scenario.py");

    public string[] Lines(string file) => File.ReadAllLines(_work.File(file));

    public void Dispose() => _work.Dispose();
}

[Trait("Category", "Kernel")]
public sealed class PosixKernelTests(PosixScenario scenario) : IClassFixture<PosixScenario>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private JsonElement Object(string kind, string name) =>
        scenario.Snapshot.GetProperty(kind).EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    private static int[] Pids(JsonElement o, string field) => o.GetProperty(field).EnumerateArray().Select(p => p.GetInt32()).ToArray();

    private int HolderPid(string ready) => int.Parse(File.ReadAllText(Path.Combine(scenario.Work, ready + ".pid")).Trim(), Inv);

    [KernelFact]
    public void EveryDevShmFileIsCollectedWithTheSizeOwnerAndModeStatShows()
    {
        var seen = 0;
        foreach (var line in scenario.Lines("stat.txt"))
        {
            var f = line.Split(' ');
            var file = Path.GetFileName(f[0]);
            var (kind, name) = file.StartsWith("sem.", StringComparison.Ordinal) ? ("posix_sem", file[4..]) : ("posix_shm", file);
            var o = Object(kind, name);
            Assert.Equal(long.Parse(f[1], Inv), o.GetProperty("bytes").GetInt64());
            Assert.Equal(long.Parse(f[2], Inv) * long.Parse(f[3], Inv), o.GetProperty("allocated_bytes").GetInt64());
            Assert.Equal(uint.Parse(f[4], Inv), o.GetProperty("uid").GetUInt32());
            Assert.Equal(uint.Parse(f[5], Inv), o.GetProperty("gid").GetUInt32());
            Assert.Equal(f[6].PadLeft(4, '0'), o.GetProperty("perms").GetString());
            seen++;
        }
        // Every file, plus the unlinked one only /proc/PID/maps still shows.
        Assert.Equal(7, seen);
        Assert.Equal(seen + 1, scenario.Snapshot.GetProperty("posix_shm").GetArrayLength() + scenario.Snapshot.GetProperty("posix_sem").GetArrayLength());
    }

    /// <summary>`show` of the stored snapshot gives back every POSIX object, holder and level `collect --json` printed.</summary>
    [KernelFact]
    public void ShowOfTheStoredSnapshotGivesBackWhatCollectPrinted()
    {
        using var show = JsonDocument.Parse(File.ReadAllText(Path.Combine(scenario.Work, "show1.json")));
        foreach (var member in new[] { "posix_shm", "posix_sem", "posix_mq" })
            Assert.Equal(scenario.Snapshot.GetProperty(member).GetRawText(), show.RootElement.GetProperty(member).GetRawText());
        foreach (var (section, member) in new[] { ("limits", "devshm_bytes"), ("limits", "mq_queues_max"), ("usage", "devshm_used_bytes"), ("usage", "mq_queues") })
            Assert.Equal(scenario.Snapshot.GetProperty(section).GetProperty(member).GetRawText(), show.RootElement.GetProperty(section).GetProperty(member).GetRawText());
        var postgres = File.ReadAllText(Path.Combine(scenario.Work, "show-postgres.txt"));
        Assert.Contains($"mapped by {HolderPid("postgres")}(postgres)", postgres);
        // The program file (python3 playing postgres) names the application; the evidence names the mapper.
        Assert.Contains($", the command of its mapper pid {HolderPid("postgres")}", postgres);
    }

    [KernelFact]
    public void HoldersAreThePidsWhoseMapsAndFdsNameTheObject()
    {
        // What /proc/PID/maps says: the open-only holders map nothing under /dev/shm, the others do.
        var maps = scenario.Lines("maps.txt").Select(l => l.Split(' ')).ToDictionary(f => f[0], f => int.Parse(f[1], Inv));
        Assert.Equal(0, maps["open"] + maps["queue"]);
        Assert.All(new[] { "mapped", "deleted", "sem" }, r => Assert.True(maps[r] > 0, r));
        Assert.Equal([HolderPid("mapped")], Pids(Object("posix_shm", "psm_mapped"), "mapped_pids"));
        Assert.Empty(Pids(Object("posix_shm", "psm_open"), "mapped_pids"));
        Assert.Equal([HolderPid("open")], Pids(Object("posix_shm", "psm_open"), "open_pids"));
        Assert.Equal([HolderPid("sem")], Pids(Object("posix_sem", "held_sem"), "mapped_pids"));
        Assert.Equal([HolderPid("queue")], Pids(Object("posix_mq", "held_q"), "open_pids"));
        Assert.Empty(Pids(Object("posix_shm", "psm_nobody"), "mapped_pids"));
        Assert.Empty(Pids(Object("posix_shm", "psm_nobody"), "open_pids"));
    }

    [KernelFact]
    public void AFileUnlinkedWhileMappedIsKeptAsDeletedWithItsMapper()
    {
        var o = Object("posix_shm", "psm_deleted");
        Assert.True(o.GetProperty("deleted").GetBoolean());
        Assert.Equal(16384, o.GetProperty("bytes").GetInt64());
        Assert.Equal([HolderPid("deleted")], Pids(o, "mapped_pids"));
        Assert.DoesNotContain(scenario.Lines("stat.txt"), l => l.Contains("psm_deleted", StringComparison.Ordinal));
    }

    [KernelFact]
    public void SemaphoreValuesAreReadWithoutChangingThem()
    {
        Assert.Equal(3, Object("posix_sem", "held_sem").GetProperty("value").GetInt64());
        Assert.Equal(5, Object("posix_sem", "leaked_sem").GetProperty("value").GetInt64());
        // The report, two snapshots later, still reads the leaked one's value as 5.
        var leaked = scenario.Report.GetProperty("orphans").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "leaked_sem");
        Assert.Contains("value 5", leaked.GetProperty("reason").GetString());
    }

    [KernelFact]
    public void QueuesMatchTheirMqueueFilesAndAttributes()
    {
        foreach (var line in scenario.Lines("mqueue.txt"))
        {
            var name = line.Split(' ')[0];
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => f.Split(':')).ToDictionary(f => f[0], f => f[1]);
            var q = Object("posix_mq", name);
            Assert.Equal(long.Parse(fields["QSIZE"], Inv), q.GetProperty("qsize_bytes").GetInt64());
            Assert.Equal(int.Parse(fields["NOTIFY_PID"], Inv), q.GetProperty("notify_pid").GetInt32());
        }
        var held = Object("posix_mq", "held_q");
        Assert.Equal(2, held.GetProperty("messages").GetInt64());
        Assert.Equal(6, held.GetProperty("max_messages").GetInt64());
        Assert.Equal(64, held.GetProperty("message_size").GetInt64());
        Assert.Equal(2, scenario.Snapshot.GetProperty("usage").GetProperty("mq_queues").GetInt64());
        Assert.Equal(64L << 20, scenario.Snapshot.GetProperty("limits").GetProperty("devshm_bytes").GetInt64());
        Assert.True(scenario.Snapshot.GetProperty("limits").GetProperty("mq_queues_max").GetInt64() > 0);
    }

    [KernelFact]
    public void UnchangedObjectsAddNoRows()
    {
        Assert.Equal(scenario.Lines("states2.txt"), scenario.Lines("states3.txt"));
    }

    [KernelFact]
    public void TheReportFindsExactlyTheLeakedObjects()
    {
        var orphans = scenario.Report.GetProperty("orphans").EnumerateArray()
            .Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("name").GetString()}").Order().ToArray();
        Assert.Equal(["posix_mq leaked_q", "posix_sem leaked_sem", "posix_shm PostgreSQL.1234", "posix_shm psm_leaked"], orphans);
        foreach (var o in scenario.Report.GetProperty("orphans").EnumerateArray())
        {
            Assert.Equal(JsonValueKind.Null, o.GetProperty("id").ValueKind);
            Assert.Equal(JsonValueKind.Null, o.GetProperty("key").ValueKind);
        }
        // Made by a process no snapshot saw: nothing proves it abandoned.
        var idle = scenario.Report.GetProperty("idle").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["psm_nobody"], idle);
    }

    [KernelFact]
    public void APostgresLeakIsReportedWithTheProgramItsHistoryKnows()
    {
        var pg = scenario.Report.GetProperty("orphans").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "PostgreSQL.1234");
        Assert.Contains("last held by postgres", pg.GetProperty("reason").GetString());
        Assert.Equal(HolderPid("postgres"), pg.GetProperty("creator_pid").GetInt32());
        Assert.Equal("rm /dev/shm/PostgreSQL.1234", pg.GetProperty("suggested_command").GetString());
        Assert.Equal(1048576UL, pg.GetProperty("bytes").GetUInt64());
        // It pins the most memory, so it ranks first.
        Assert.Equal("PostgreSQL.1234", scenario.Report.GetProperty("orphans")[0].GetProperty("name").GetString());
    }

    [KernelFact]
    public void PressureHasTheDevShmAndQueuePools()
    {
        var pressure = scenario.Report.GetProperty("pressure").EnumerateArray().ToDictionary(p => p.GetProperty("limit").GetString()!);
        Assert.Equal(64L << 20, pressure["DEVSHM"].GetProperty("max").GetInt64());
        Assert.True(pressure["DEVSHM"].GetProperty("used").GetInt64() >= 1048576 + 131072 + 65536);
        Assert.Equal(2, pressure["MQ_QUEUES"].GetProperty("used").GetInt64());
    }
}
