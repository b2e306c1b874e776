using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// systemd-logind's RemoveIPC=yes deletes a user's objects while the user's processes run. The
/// report's churn must show it from real collection: the object vanished, its last user lived on.
/// </summary>
public sealed class RemoveIpcKernelTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    // A process that sets a semaphore (the kernel records it as the last pid) and then lives, or exits.
    private const string Holder =
        "python3 -c 'import ctypes,sys,time; l=ctypes.CDLL(None); i=l.semget(0,1,0o1600); l.semctl(i,0,16,1); print(i,flush=True); time.sleep(float(sys.argv[1]))'";

    private JsonElement Churn(bool userStaysAlive)
    {
        var db = _dir.File(userStaysAlive ? "alive.db" : "dead.db");
        var json = _dir.File(userStaysAlive ? "alive.json" : "dead.json");
        var run = BoundedProcess.Bash($"""
            {Holder} {(userStaysAlive ? "60" : "0")} > '{_dir.File("id")}' &
            pid=$!
            for i in $(seq 50); do [ -s '{_dir.File("id")}' ] && break; sleep 0.1; done
            "$DOTNET" exec "$CLI" collect -q --db '{db}' --at 2026-11-21T00:00:00Z
            ipcrm -s "$(cat '{_dir.File("id")}')"
            "$DOTNET" exec "$CLI" collect -q --db '{db}' --at 2026-11-21T00:05:00Z
            kill $pid 2>/dev/null || true
            "$DOTNET" exec "$CLI" report --db '{db}' --since 2026-11-20T23:00:00Z --until 2026-11-21T01:00:00Z --format json > '{json}'
            """, TimeSpan.FromSeconds(90), wrapper: ["unshare", "--ipc"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.GetProperty("churn").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "sem").Clone();
    }

    [KernelFact]
    public void ArrayRemovedUnderItsLiveUserCountsAsVanishedWhileUsed()
    {
        var sem = Churn(userStaysAlive: true);
        Assert.Equal(1, sem.GetProperty("removed").GetInt32());
        Assert.Equal(1, sem.GetProperty("vanished_while_used").GetInt32());
    }

    [KernelFact]
    public void ArrayRemovedAfterItsUserDiedIsOrdinaryChurn()
    {
        var sem = Churn(userStaysAlive: false);
        Assert.Equal(1, sem.GetProperty("removed").GetInt32());
        Assert.Equal(0, sem.GetProperty("vanished_while_used").GetInt32());
    }
}
