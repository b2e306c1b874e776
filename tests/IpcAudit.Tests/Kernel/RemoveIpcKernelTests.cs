using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// systemd-logind's RemoveIPC=yes deletes a regular user's objects while the user's processes run.
/// The report's churn must show it from real collection: the object vanished, its last user lived
/// on, and it belonged to a uid above SYS_UID_MAX (this machine's login.defs, else 999). The same
/// removal under a system uid is a plain removal: logind never touches those.
/// </summary>
public sealed class RemoveIpcKernelTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    // A process that sets a semaphore (the kernel records it as the last pid) and then lives, or exits.
    // Debian's python3 by path: a python3 earlier in root's PATH (pyenv under /root) is not readable by another uid.
    private const string Holder =
        "/usr/bin/python3 -c 'import ctypes,sys,time; l=ctypes.CDLL(None); i=l.semget(0,1,0o1600); l.semctl(i,0,16,1); print(i,flush=True); time.sleep(float(sys.argv[1]))'";

    private const int RegularUid = 1500;

    /// <param name="uid">The array's owner: the holder runs under it (setpriv), or as root when null.</param>
    private JsonElement Churn(string name, bool userStaysAlive, int? uid)
    {
        var db = _dir.File(name + ".db");
        var json = _dir.File(name + ".json");
        var id = _dir.File(name + ".id");
        var asUser = uid is { } u ? $"setpriv --reuid {u} --regid {u} --clear-groups " : "";
        var run = BoundedProcess.Bash($"""
            {asUser}{Holder} {(userStaysAlive ? "60" : "0")} > '{id}' &
            pid=$!
            for i in $(seq 50); do [ -s '{id}' ] && break; sleep 0.1; done
            "$DOTNET" exec "$CLI" collect -q --db '{db}' --at 2026-11-21T00:00:00Z
            ipcrm -s "$(cat '{id}')"
            "$DOTNET" exec "$CLI" collect -q --db '{db}' --at 2026-11-21T00:05:00Z
            kill $pid 2>/dev/null || true
            "$DOTNET" exec "$CLI" report --db '{db}' --since 2026-11-20T23:00:00Z --until 2026-11-21T01:00:00Z --format json > '{json}'
            """, TimeSpan.FromSeconds(90), wrapper: ["unshare", "--ipc"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.GetProperty("churn").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "sem").Clone();
    }

    [KernelFact]
    public void RegularUsersArrayRemovedUnderItsLiveUserCountsAsVanishedWhileUsed()
    {
        var sem = Churn("alive", userStaysAlive: true, RegularUid);
        Assert.Equal(1, sem.GetProperty("removed").GetInt32());
        Assert.Equal(1, sem.GetProperty("vanished_while_used").GetInt32());
        Assert.True(sem.GetProperty("sys_uid_max").GetUInt32() < RegularUid);
    }

    [KernelFact]
    public void ArrayRemovedAfterItsUserDiedIsOrdinaryChurn()
    {
        var sem = Churn("dead", userStaysAlive: false, RegularUid);
        Assert.Equal(1, sem.GetProperty("removed").GetInt32());
        Assert.Equal(0, sem.GetProperty("vanished_while_used").GetInt32());
    }

    [KernelFact]
    public void RootsArrayRemovedUnderItsLiveUserIsAPlainRemoval()
    {
        var sem = Churn("root", userStaysAlive: true, uid: null);
        Assert.Equal(1, sem.GetProperty("removed").GetInt32());
        Assert.Equal(0, sem.GetProperty("vanished_while_used").GetInt32());
    }
}
