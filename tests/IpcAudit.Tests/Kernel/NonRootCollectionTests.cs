using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// A non-root collector sees every object in /proc/sysvipc but may not read 0600 objects' values
/// (queue capacity aside: MSG_STAT_ANY gives it)
/// or other users' maps: those are unknown (null), never zero or empty, and the snapshot is kept.
/// </summary>
public sealed class NonRootCollectionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [KernelFact]
    public void UnreadableValuesAreUnknownNotZero()
    {
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1FF);
        var json = _dir.File("out.json");
        var run = BoundedProcess.Bash($"""
            S=$(ipcmk -p 0600 -S 2 | awk '{"{print $NF}"}')
            Q=$(ipcmk -p 0600 -Q | awk '{"{print $NF}"}')
            M=$(ipcmk -p 0600 -M 4096 | awk '{"{print $NF}"}')
            python3 -c 'import ctypes,sys,time; l=ctypes.CDLL(None); l.shmat.restype=ctypes.c_void_p; l.shmat(int(sys.argv[1]),None,0); time.sleep(60)' "$M" &
            holder=$!
            for i in $(seq 50); do grep -q SYSV /proc/$holder/maps 2>/dev/null && break; sleep 0.1; done
            set +e
            HOME='{_dir.Path}' setpriv --reuid=65534 --regid=65534 --clear-groups "$DOTNET" exec "$CLI" collect --db '{_dir.File("nobody.db")}' --json > '{json}'
            rc=$?
            kill $holder
            exit $rc
            """, TimeSpan.FromSeconds(90), wrapper: ["unshare", "--ipc"]);
        Assert.True(run.ExitCode == 0, run.Stderr);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        var sem = Assert.Single(root.GetProperty("sem").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, sem.GetProperty("semaphores").ValueKind);
        // msgctl(IPC_STAT) is refused, but MSG_STAT_ANY (Linux 4.17) gives every queue's capacity to anyone.
        var msg = Assert.Single(root.GetProperty("msg").EnumerateArray());
        Assert.Equal(16384, msg.GetProperty("qbytes").GetInt64());
        var shm = Assert.Single(root.GetProperty("shm").EnumerateArray());
        Assert.Equal(1, shm.GetProperty("nattch").GetInt32());
        Assert.Equal(JsonValueKind.Null, shm.GetProperty("attached_pids").ValueKind);

        var failed = root.GetProperty("steps").EnumerateArray().Where(s => !s.GetProperty("succeeded").GetBoolean())
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("note").GetString());
        Assert.Contains("permission denied", failed["sem-values"]);
        Assert.DoesNotContain("msg-qbytes", failed.Keys);
        Assert.Contains("unreadable", failed["attachments"]);
        Assert.Contains("warning: step sem-values incomplete", run.Stderr);
    }
}
