using System.Text;
using System.Text.Json;
using IpcAudit.Tests.Support;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// One bash script run as `unshare --ipc bash script.sh`: sysctls and ipc_scenario.py steps make
/// objects in a private IPC namespace, then the real `ipcaudit collect --json` and `ipcs` look at
/// the same objects, and the children the steps left running are killed. Nothing touches the host's
/// namespace; the whole run is bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class KernelScenario
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _steps = new();
    private int _count;

    /// <summary>Sets /proc/sys/kernel/NAME inside the namespace (the IPC sysctls are per namespace).</summary>
    public KernelScenario Sysctl(string name, string value)
    {
        _steps.AppendLine($"echo '{value}' > /proc/sys/kernel/{name}");
        return this;
    }

    /// <summary>One ipc_scenario.py step, e.g. "shm --key 0x2a --size 65536"; its id is <see cref="ScenarioStep.Id"/> for later steps.</summary>
    public ScenarioStep Step(string arguments)
    {
        var step = new ScenarioStep(_count++);
        _steps.AppendLine(ScenarioShell.Step(step.Index, arguments));
        return step;
    }

    public KernelRun Run()
    {
        using var work = new TempDirectory();
        ScenarioShell.Run(work, Script(), Timeout, "kernel scenario");

        var collectExit = File.ReadAllText(work.File("collect.rc")).Trim();
        if (collectExit != "0")
            throw new InvalidOperationException(
                $"ipcaudit collect exited {collectExit}:\n{ScenarioShell.Tail(work.File("collect.err"))}\n{ScenarioShell.Tail(work.File("snap.json"))}");
        return KernelRun.Read(work.Path);
    }

    private string Script() => $$"""
        capture() { ipcs "$@" > "ipcs$(printf '_%s' "$@").txt"; }

        {{_steps}}
        rc=0
        timeout 20 "$DOTNET" exec "$CLI" collect --db "$WORK/a.db" --json > snap.json 2> collect.err || rc=$?
        echo "$rc" > collect.rc

        for option in -a -b -p -t -c -u -l; do capture "$option"; done
        capture -l -b
        for id in $(awk 'NR > 1 { print $2 }' /proc/sysvipc/shm); do capture -m -i "$id"; done
        for id in $(awk 'NR > 1 { print $2 }' /proc/sysvipc/sem); do capture -s -i "$id"; done
        for id in $(awk 'NR > 1 { print $2 }' /proc/sysvipc/msg); do capture -q -i "$id"; done
        cat /proc/sys/kernel/shm_rmid_forced > shm_rmid_forced.txt
        getconf PAGESIZE > page_size.txt
        stat -L -c %i /proc/self/ns/ipc > ipc_namespace.txt
        stop_children
        """;

}

/// <summary>
/// A class fixture holding one scenario: the derived constructor adds steps, the first test that asks
/// for <see cref="Run"/> runs it, and every test of the class reads the same run.
/// </summary>
public abstract class KernelScenarioFixture
{
    private readonly Lazy<KernelRun> _run;

    protected KernelScenarioFixture() => _run = new(() => Scenario.Run());

    private protected KernelScenario Scenario { get; } = new();

    internal KernelRun Run => _run.Value;
}

/// <summary>A step of a scenario: its output is <c>run.Made[Index]</c>; <see cref="Id"/> is its object id in later steps.</summary>
internal sealed record ScenarioStep(int Index)
{
    public string Id => $"$id{Index}";
}

/// <summary>What one scenario run left behind: the collector's JSON, the steps' JSON lines and every ipcs capture.</summary>
internal sealed class KernelRun
{
    private readonly IReadOnlyDictionary<string, string> _files;

    private KernelRun(JsonElement snapshot, IReadOnlyList<JsonElement> made, IReadOnlyDictionary<string, string> files)
    {
        Snapshot = snapshot;
        Made = made;
        _files = files;
    }

    /// <summary>The root of `ipcaudit collect --json`.</summary>
    public JsonElement Snapshot { get; }

    /// <summary>One JSON line per scenario step, in order.</summary>
    public IReadOnlyList<JsonElement> Made { get; }

    public JsonElement this[ScenarioStep step] => Made[step.Index];

    public int IdOf(ScenarioStep step) => this[step].GetProperty("id").GetInt32();

    public int PidOf(ScenarioStep step) => this[step].GetProperty("pid").GetInt32();

    /// <summary>What `ipcs ARGS` printed, e.g. Ipcs("-m", "-i", "3").</summary>
    public string Ipcs(params string[] args) => File("ipcs" + string.Concat(args.Select(a => "_" + a)) + ".txt");

    public string File(string name) =>
        _files.TryGetValue(name, out var text) ? text : throw new FileNotFoundException("the scenario left no " + name);

    public JsonElement Shm(int id) => Find("shm", "id", id);
    public JsonElement Sem(int id) => Find("sem", "id", id);
    public JsonElement Msg(int id) => Find("msg", "id", id);

    /// <summary>The processes[] entry for a pid an object refers to.</summary>
    public JsonElement Process(int pid) => Find("processes", "pid", pid);

    /// <summary>The element of a snapshot array whose <paramref name="key"/> is <paramref name="value"/>.</summary>
    private JsonElement Find(string array, string key, int value) =>
        Snapshot.GetProperty(array).EnumerateArray().SingleOrDefault(o => o.GetProperty(key).GetInt32() == value) is
            { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new InvalidOperationException($"collect --json has no {array}[] entry with {key} {value}:\n{Snapshot}");

    public static KernelRun Read(string dir)
    {
        var files = Directory.EnumerateFiles(dir, "*.txt")
            .ToDictionary(f => Path.GetFileName(f), f => System.IO.File.ReadAllText(f));
        using var snapshot = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(dir, "snap.json")));
        var made = System.IO.File.ReadLines(Path.Combine(dir, "made.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.Clone(); })
            .ToList();
        return new KernelRun(snapshot.RootElement.Clone(), made, files);
    }
}
