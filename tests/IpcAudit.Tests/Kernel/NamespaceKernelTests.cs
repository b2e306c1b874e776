using System.Globalization;
using System.Text.Json;
using IpcAudit.Cli.Commands;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// Containers as the kernel makes them: inside a PID namespace with its own /proc (so the collector
/// sees only this test's processes, not the machine's), three `unshare --ipc` namespaces: A holds a
/// service user's leaked segment, an array and a queue; B has lowered limits of its own; C has its own
/// UTS hostname; D's only process is killed by the test hook between discovery and entry. Collected
/// with `--at` at hours 0, 1, 2 and 26, then reported. Each namespace is compared with
/// `nsenter --ipc=/proc/PID/ns/ipc ipcs` run against that same namespace.
/// </summary>
public sealed class NamespaceScenario
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    public const string UtsName = "nsbox-13";

    public DateTimeOffset T0 { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 120);

    private readonly Lazy<NamespaceRun> _run;

    public NamespaceScenario() => _run = new(() =>
    {
        using var work = new TempDirectory();
        ScenarioShell.Run(work, Script(), Timeout, "namespace scenario", ["--ipc", "--pid", "--fork", "--mount-proc"]);
        return new NamespaceRun(work.Path);
    });

    internal NamespaceRun Run => _run.Value;

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private string Collect(double hours, string name, string options) =>
        $"rc=0; timeout 60 \"$DOTNET\" exec \"$CLI\" collect --allow-future --db \"$WORK/h.db\" --at {Iso(T0.AddHours(hours))} --json {options} > {name}.json 2> {name}.err || rc=$?; echo $rc > {name}.rc";

    private string Script() => $$"""
        unset {{CollectHandler.NamespacesVariable}}
        # start_ns NAME UNSHARE-OPTIONS COMMANDS: a namespace whose process runs COMMANDS in ns_NAME, then sleeps.
        start_ns() {
          local name=$1 flags=$2 commands=$3
          mkdir -p "ns_$name"; touch "ns_$name/made.jsonl"
          unshare $flags bash -c "set -e; cd ns_$name; $commands; touch ready; exec sleep 600" &
          echo $! > "ns_$name/pid"; echo $! >> {{ScenarioShell.PidFile}}
          for _ in $(seq 100); do [ -e "ns_$name/ready" ] && break; sleep 0.1; done
          [ -e "ns_$name/ready" ]
          stat -L -c %i "/proc/$!/ns/ipc" > "ns_$name/inode"
        }
        step() { python3 "$SCENARIO" "$@" >> made.jsonl; }
        export -f step
        start_ns a --ipc 'step --as 4242 shm --key 0x51 --size 65536; step sem --key 0x61 --nsems 3 --values 1,2,3; step msg --key 0x71 --count 2 --size 50'
        start_ns b --ipc 'echo 64 > /proc/sys/kernel/shmmni; echo "250 640 32 20" > /proc/sys/kernel/sem; echo 100 > /proc/sys/kernel/msgmni; echo 8192 > /proc/sys/kernel/msgmnb; step shm --key 0x52 --size 8192; step sem --key 0x62 --nsems 5'
        start_ns c "--ipc --uts" 'hostname {{UtsName}}; step msg --key 0x73 --count 1 --size 10'
        start_ns d --ipc 'true'
        stat -L -c %i /proc/self/ns/ipc > own_inode
        sleep 1

        # Between discovery and entry the hook kills D's only process: its namespace ends with it.
        export {{CollectHandler.NamespaceTestHookVariable}}='if [ "$IPCAUDIT_NAMESPACE" = "$(cat "$WORK/ns_d/inode")" ]; then kill -9 "$(cat "$WORK/ns_d/pid")"; sleep 0.5; fi'
        {{Collect(0, "collect0", "--namespaces all")}}
        unset {{CollectHandler.NamespaceTestHookVariable}}

        capture() { nsenter --ipc="/proc/$pid/ns/ipc" ipcs "$@" > "ns_$name/ipcs$(printf '_%s' "$@").txt"; }
        for name in a b c; do
          pid=$(cat "ns_$name/pid")
          for option in -a -b -p -t -c -u -l; do capture "$option"; done
          capture -l -b
          for id in $(nsenter --ipc="/proc/$pid/ns/ipc" awk 'NR > 1 { print $2 }' /proc/sysvipc/shm); do capture -m -i "$id"; done
          for id in $(nsenter --ipc="/proc/$pid/ns/ipc" awk 'NR > 1 { print $2 }' /proc/sysvipc/sem); do capture -s -i "$id"; done
          for id in $(nsenter --ipc="/proc/$pid/ns/ipc" awk 'NR > 1 { print $2 }' /proc/sysvipc/msg); do capture -q -i "$id"; done
          python3 -c 'import json, sys; all = json.load(open("collect0.json")); json.dump([s for s in all if str(s["ipc_namespace"]) == sys.argv[1]][0], open(sys.argv[2], "w"))' \
            "$(cat "ns_$name/inode")" "ns_$name/snap.json" || true
        done

        {{Collect(1, "collect1", "")}}
        {{Collect(2, "collect2", "--namespaces all")}}
        {{Collect(26, "collect26", "--namespaces all --textfile \"$WORK\"")}}
        if command -v promtool > /dev/null; then rc=0; promtool check metrics < ipcaudit.prom > promtool.out 2>&1 || rc=$?; echo $rc > promtool.rc; fi
        rc=0; timeout 60 "$DOTNET" exec "$CLI" report --db "$WORK/h.db" --since {{Iso(T0.AddMinutes(-1))}} --until {{Iso(T0.AddHours(26.5))}} --orphan-age 24h --format json --output report.json 2> report.err || rc=$?; echo $rc > report.rc
        stop_children
        """;
}

/// <summary>What the namespace scenario left: each collect's JSON, each namespace's ipcs captures, the report.</summary>
internal sealed class NamespaceRun(string dir)
{
    private readonly Dictionary<string, KernelRun> _namespaces = new[] { "a", "b", "c" }.ToDictionary(n => n, n => KernelRun.Read(Path.Combine(dir, "ns_" + n)));

    /// <summary>Read while the work folder exists: every file of the run, by path relative to it.</summary>
    private readonly Dictionary<string, string> _files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllText);

    public KernelRun Namespace(string name) => _namespaces[name];

    public ulong Inode(string name) => ulong.Parse(Text($"ns_{name}/inode").Trim(), CultureInfo.InvariantCulture);

    public bool Has(string file) => _files.ContainsKey(file);

    public ulong OwnInode => ulong.Parse(Text("own_inode").Trim(), CultureInfo.InvariantCulture);

    public string Text(string file) => _files.TryGetValue(file, out var text) ? text : throw new FileNotFoundException("the scenario left no " + file);

    /// <summary>A collect's snapshots (its --json is an array when it stored several) and its exit code.</summary>
    public (JsonElement[] Snapshots, int ExitCode, string Stderr) Collect(string name)
    {
        var rc = int.Parse(Text(name + ".rc").Trim(), CultureInfo.InvariantCulture);
        if (rc != 0) return ([], rc, Text(name + ".err"));
        using var doc = JsonDocument.Parse(Text(name + ".json"));
        var root = doc.RootElement.Clone();
        return (root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root], rc, Text(name + ".err"));
    }

    public JsonElement Report()
    {
        if (Text("report.rc").Trim() != "0") throw new InvalidOperationException("report failed: " + Text("report.err"));
        using var doc = JsonDocument.Parse(Text("report.json"));
        return doc.RootElement.Clone();
    }
}

[Trait("Category", "Kernel")]
public sealed class NamespaceKernelTests(NamespaceScenario scenario) : IClassFixture<NamespaceScenario>
{
    private NamespaceRun Run => scenario.Run;

    [KernelFact]
    public void OneCollectStoresEveryNamespaceInUseOnce()
    {
        var (snapshots, rc, stderr) = Run.Collect("collect0");
        Assert.True(rc == 0, stderr);
        var inodes = snapshots.Select(s => s.GetProperty("ipc_namespace").GetUInt64()).Order().ToList();
        Assert.Equal(new[] { Run.OwnInode, Run.Inode("a"), Run.Inode("b"), Run.Inode("c") }.Order().ToList(), inodes);
        Assert.All(snapshots, s => Assert.Equal(snapshots[0].GetProperty("taken_at").GetString(), s.GetProperty("taken_at").GetString()));
    }

    [KernelFact]
    public void WithoutTheOptionRootCollectsEveryNamespace()
    {
        var (snapshots, rc, stderr) = Run.Collect("collect1");
        Assert.True(rc == 0, stderr);
        Assert.Equal(4, snapshots.Length);
    }

    [KernelFact]
    public void ANamespaceThatEndsBeforeEntryIsRecordedAsGoneNotFailed()
    {
        var (snapshots, rc, stderr) = Run.Collect("collect0");
        Assert.Equal(0, rc);
        var gone = ulong.Parse(Run.Text("ns_d/inode").Trim(), CultureInfo.InvariantCulture);
        Assert.DoesNotContain(snapshots, s => s.GetProperty("ipc_namespace").GetUInt64() == gone);
        var step = snapshots[0].GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "namespaces");
        Assert.True(step.GetProperty("succeeded").GetBoolean());
        Assert.Contains($"IPC namespace {gone} gone", step.GetProperty("note").GetString());
        Assert.Contains($"IPC namespace {gone} gone", stderr);
    }

    [KernelFact]
    public void EachNamespaceMatchesIpcsRunInsideIt()
    {
        var diff = new FieldComparison();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var run = Run.Namespace(name);
            diff.Rows(run, IpcsKind.Shm, ("bytes", "bytes"), ("nattch", "nattch"));
            diff.Details(run, IpcsKind.Shm, "access_perms", ["bytes", "lpid", "cpid", "nattch"], ("att_time", "atime"), ("det_time", "dtime"), ("change_time", "ctime"));
            diff.Rows(run, IpcsKind.Sem, ("nsems", "nsems"));
            diff.Details(run, IpcsKind.Sem, "access_perms", ["nsems"], ("otime", "otime"), ("ctime", "ctime"));
            diff.Rows(run, IpcsKind.Msg, ("used-bytes", "cbytes"), ("messages", "qnum"));
            diff.Details(run, IpcsKind.Msg, "mode", ["cbytes", "qbytes", "qnum", "lspid", "lrpid"]);

            var usage = run.Snapshot.GetProperty("usage");
            var sections = IpcsOutput.Sections(run.Ipcs("-u"));
            diff.Labels(name + " usage", IpcsOutput.Labels(sections["Shared Memory Status"]), usage,
                ("segments allocated", "shm_segments"), ("pages allocated", "shm_pages_allocated"), ("pages resident", "shm_pages_resident"));
            diff.Labels(name + " usage", IpcsOutput.Labels(sections["Semaphore Status"]), usage,
                ("used arrays", "sem_arrays"), ("allocated semaphores", "sem_semaphores"));
            diff.Labels(name + " usage", IpcsOutput.Labels(sections["Messages Status"]), usage,
                ("allocated queues", "msg_queues"), ("used headers", "msg_messages"), ("used space", "msg_bytes"));

            var limits = run.Snapshot.GetProperty("limits");
            var l = IpcsOutput.Sections(run.Ipcs("-l"));
            diff.Labels(name + " limits", IpcsOutput.Labels(l["Shared Memory Limits"]), limits, ("max number of segments", "shmmni"));
            diff.Labels(name + " limits", IpcsOutput.Labels(l["Semaphore Limits"]), limits,
                ("max number of arrays", "semmni"), ("max semaphores per array", "semmsl"),
                ("max semaphores system wide", "semmns"), ("max ops per semop call", "semopm"));
            diff.Labels(name + " limits", IpcsOutput.Labels(l["Messages Limits"]), limits,
                ("max queues system wide", "msgmni"), ("default max size of queue (bytes)", "msgmnb"));
        }
        diff.AssertNone();
    }

    [KernelFact]
    public void EachNamespaceHoldsWhatWasMadeInIt()
    {
        static string Keys(KernelRun run, string kind) =>
            string.Join(' ', run.Snapshot.GetProperty(kind).EnumerateArray().Select(o => o.GetProperty("key").GetString()).Order());
        Assert.Equal(("0x00000051", "0x00000061", "0x00000071"), (Keys(Run.Namespace("a"), "shm"), Keys(Run.Namespace("a"), "sem"), Keys(Run.Namespace("a"), "msg")));
        Assert.Equal(("0x00000052", "0x00000062", ""), (Keys(Run.Namespace("b"), "shm"), Keys(Run.Namespace("b"), "sem"), Keys(Run.Namespace("b"), "msg")));
        Assert.Equal(("", "", "0x00000073"), (Keys(Run.Namespace("c"), "shm"), Keys(Run.Namespace("c"), "sem"), Keys(Run.Namespace("c"), "msg")));
    }

    [KernelFact]
    public void LoweredLimitsAreThoseOfTheirNamespaceOnly()
    {
        static ulong Limit(KernelRun run, string name) => run.Snapshot.GetProperty("limits").GetProperty(name).GetUInt64();
        var b = Run.Namespace("b");
        Assert.Equal((64UL, 250UL, 640UL, 32UL, 20UL, 100UL, 8192UL),
            (Limit(b, "shmmni"), Limit(b, "semmsl"), Limit(b, "semmns"), Limit(b, "semopm"), Limit(b, "semmni"), Limit(b, "msgmni"), Limit(b, "msgmnb")));
        Assert.NotEqual(64UL, Limit(Run.Namespace("a"), "shmmni"));
        Assert.NotEqual(64UL, Limit(Run.Namespace("c"), "shmmni"));
    }

    [KernelFact]
    public void NamespacesAreLabelledByHostnameOrCommandAndKeepTheHostsName()
    {
        var c = Run.Namespace("c").Snapshot;
        Assert.Equal("uts:" + NamespaceScenario.UtsName, c.GetProperty("namespace_label").GetString());
        Assert.NotEqual(NamespaceScenario.UtsName, c.GetProperty("host").GetString());
        Assert.Equal(Run.Namespace("a").Snapshot.GetProperty("host").GetString(), c.GetProperty("host").GetString());
        Assert.Equal("cmd:sleep", Run.Namespace("a").Snapshot.GetProperty("namespace_label").GetString());
    }

    [KernelFact]
    public void ALeakInOneNamespaceIsReportedWithThatNamespacesLabel()
    {
        var orphans = Run.Report().GetProperty("orphans").EnumerateArray().ToList();
        var leak = Assert.Single(orphans);
        Assert.Equal(("shm", "0x00000051"), (leak.GetProperty("kind").GetString(), leak.GetProperty("key").GetString()));
        Assert.Equal(Run.Inode("a"), leak.GetProperty("namespace").GetUInt64());
        Assert.Equal("cmd:sleep", leak.GetProperty("namespace_label").GetString());
    }

    [KernelFact]
    public void MetricsHaveASeriesPerNamespaceWithItsOwnLimitsAndHostTotals()
    {
        var prom = Run.Text("ipcaudit.prom");
        var lines = prom.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToHashSet();
        // A and B are both "cmd:sleep": the inode tells their series apart.
        Assert.Contains($"ipcaudit_namespace_limit{{namespace=\"cmd:sleep ipc:{Run.Inode("b")}\",name=\"SHMMNI\"}} 64", lines);
        Assert.Contains($"ipcaudit_namespace_shm_segments{{namespace=\"cmd:sleep ipc:{Run.Inode("a")}\"}} 1", lines);
        Assert.Contains($"ipcaudit_namespace_msg_queues{{namespace=\"uts:{NamespaceScenario.UtsName}\"}} 1", lines);
        Assert.Contains("ipcaudit_namespaces 4", lines);
        Assert.Contains("ipcaudit_host_shm_segments 2", lines);
        Assert.Contains("ipcaudit_host_sem_arrays 2", lines);
        Assert.Contains("ipcaudit_host_msg_queues 2", lines);
        if (Run.Has("promtool.rc")) Assert.True(Run.Text("promtool.rc").Trim() == "0", Run.Text("promtool.out"));
    }
}
