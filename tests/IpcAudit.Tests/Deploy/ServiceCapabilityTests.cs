using System.Text.Json;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>
/// The collector unit runs as root with only CapabilityBoundingSet's capabilities. Emulated with
/// setpriv inside a private IPC namespace: with exactly the unit's set, the collector reads another
/// user's 0600 objects and attachers (System V, and POSIX semaphore values and queue messages) as well
/// as unrestricted root does; with none, it does not (but for queue capacity, which MSG_STAT_ANY gives
/// without permission).
/// </summary>
public sealed class ServiceCapabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [KernelFact]
    public void UnitCapabilitiesReadAnotherUsersObjectsAndAttachers()
    {
        var unit = SystemdUnitTests.Settings(File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "packaging", "systemd", "ipcaudit-collect.service")));
        var keep = string.Join(',', unit["CapabilityBoundingSet"].Split(' ').Select(c => "+" + c["CAP_".Length..].ToLowerInvariant()));
        var (root, granted, none) = (_dir.File("root.json"), _dir.File("granted.json"), _dir.File("none.json"));
        // /usr/bin/python3, not PATH's: a root user's pyenv shim is out of nobody's reach.
        var run = BoundedProcess.Bash($"""
            # As on a systemd host (dev-mqueue.mount), with this IPC namespace's queues; a /dev/shm of its own.
            mount -t mqueue none /dev/mqueue
            mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm
            nobody() {"{"} setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; {"}"}
            nobody ipcmk -p 0600 -S 2 > /dev/null
            # POSIX objects are made 0600 by posix_scenario.py: root reads them only by capability.
            nobody /usr/bin/python3 '{PosixScenario.PosixScenarioScript}' sem nobody_sem --value 3
            nobody /usr/bin/python3 '{PosixScenario.PosixScenarioScript}' mq nobody_q --messages 2
            nobody ipcmk -p 0600 -Q > /dev/null
            M=$(nobody ipcmk -p 0600 -M 4096 | awk '{"{print $NF}"}')
            setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import ctypes,sys,time; l=ctypes.CDLL(None); l.shmat.restype=ctypes.c_void_p; l.shmat(int(sys.argv[1]),None,0); time.sleep(60)' "$M" &
            holder=$!
            trap 'kill $holder 2>/dev/null' EXIT
            for i in $(seq 50); do grep -q SYSV /proc/$holder/maps 2>/dev/null && break; sleep 0.1; done
            grep -q SYSV /proc/$holder/maps || {"{"} echo "nobody's attacher did not attach" >&2; exit 1; {"}"}
            set +e
            "$DOTNET" exec "$CLI" collect --db '{_dir.File("root.db")}' --json --quiet > '{root}'
            setpriv --bounding-set=-all,{keep} "$DOTNET" exec "$CLI" collect --db '{_dir.File("granted.db")}' --json > '{granted}'
            rc=$?
            setpriv --bounding-set=-all "$DOTNET" exec "$CLI" collect --db '{_dir.File("none.db")}' --json --quiet > '{none}'
            exit $rc
            """, TimeSpan.FromSeconds(90), wrapper: ["unshare", "--ipc", "--mount", "--propagation", "private"]);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var unrestricted = Snapshot(root);
        var limited = Snapshot(granted);
        // Same outcome per step as unrestricted root (which may itself miss a sandbox's pid 1).
        Assert.Equal(Steps(unrestricted), Steps(limited));
        Assert.Equal(2, Assert.Single(limited.GetProperty("sem").EnumerateArray()).GetProperty("semaphores").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, Assert.Single(limited.GetProperty("msg").EnumerateArray()).GetProperty("qbytes").ValueKind);
        Assert.Single(Assert.Single(limited.GetProperty("shm").EnumerateArray()).GetProperty("attached_pids").EnumerateArray());
        // CAP_DAC_READ_SEARCH: nobody's 0600 semaphore file and queue open read-only.
        Assert.Equal(3, Assert.Single(limited.GetProperty("posix_sem").EnumerateArray()).GetProperty("value").GetInt64());
        Assert.Equal(2, Assert.Single(limited.GetProperty("posix_mq").EnumerateArray()).GetProperty("messages").GetInt64());

        var without = Snapshot(none);
        Assert.Equal(JsonValueKind.Null, Assert.Single(without.GetProperty("sem").EnumerateArray()).GetProperty("semaphores").ValueKind);
        // MSG_STAT_ANY needs no permission: qbytes is known even without CAP_IPC_OWNER.
        Assert.Equal(16384, Assert.Single(without.GetProperty("msg").EnumerateArray()).GetProperty("qbytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, Assert.Single(without.GetProperty("shm").EnumerateArray()).GetProperty("attached_pids").ValueKind);
        Assert.Equal(JsonValueKind.Null, Assert.Single(without.GetProperty("posix_sem").EnumerateArray()).GetProperty("value").ValueKind);
        // Still listed (its file unreadable): bytes queued unknown, not 0, and the posix-mq step did not fail.
        var queue = Assert.Single(without.GetProperty("posix_mq").EnumerateArray());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (queue.GetProperty("messages").ValueKind, queue.GetProperty("qsize_bytes").ValueKind));
        Assert.True(Steps(without)["posix-mq"]);
    }

    private static JsonElement Snapshot(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return doc.RootElement.Clone();
    }

    private static Dictionary<string, bool> Steps(JsonElement snapshot) => snapshot.GetProperty("steps").EnumerateArray()
        .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("succeeded").GetBoolean());
}
