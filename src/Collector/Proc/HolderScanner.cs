using System.Globalization;
using System.Text;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>What one pass over /proc found about the processes of our IPC namespace.</summary>
/// <param name="OldestByUid">
/// uid (as int, unchecked: a Dictionary&lt;int, class&gt; runs on precompiled code, a &lt;uint, ...&gt; one is
/// JIT-compiled at every start) → its oldest live process that may hold objects (no pid 1, kernel thread or service manager).
/// </param>
/// <param name="OldestStartTicks">Start ticks of the oldest live process of the namespace, any kind; null when none was readable.</param>
/// <param name="ProcessesScanned">Live processes read.</param>
public sealed record HolderScan(IReadOnlyDictionary<int, HolderScan.Oldest> OldestByUid, ulong? OldestStartTicks, int ProcessesScanned)
{
    public sealed record Oldest(int Pid, ulong StartTicks);

    public int? HolderOf(uint uid) => OldestByUid.TryGetValue(unchecked((int)uid), out var o) ? o.Pid : null;
}

/// <summary>
/// The oldest live process of each uid in our IPC namespace: the kernel keeps no creator for an array
/// or a queue, so "a live process of uid N started before this object's ctime" is what is left to say
/// the object may still be held. The uid is the owner of /proc/PID, which is the effective uid (procps
/// does the same), or, where that owner is root, the real uid from /proc/PID/status: a non-dumpable
/// process (a daemon's children after setuid) is owned by root whatever its uid. One pass:
/// /proc/PID/stat, ns/ipc and one statx per process, and status for root-owned ones.
/// Not thread-safe: one scanner reuses one read buffer.
/// </summary>
public sealed class HolderScanner(ProcRoot proc)
{
    private byte[] _buffer = new byte[1024];

    public HolderScan Scan()
    {
        // Without ns links (very old kernels, a saved copy without them) every process is taken to share
        // our namespace; so is one whose link we may not read: wrongly keeping a holder only makes a
        // verdict more careful.
        var ourNamespace = NsIpcLink.Read(proc);
        var oldest = new Dictionary<int, HolderScan.Oldest>();
        ulong? oldestTicks = null;
        var scanned = 0;
        foreach (var pid in proc.ProcessIds())
        {
            var dir = proc.PathOf(pid.ToString(CultureInfo.InvariantCulture));
            if (LiveProcessStat.Read(proc, pid, ref _buffer) is not { } stat) continue;
            if (ourNamespace is not null && NsIpcLink.Read(proc, pid) is { } ns && ns != ourNamespace) continue;
            scanned++;
            if (oldestTicks is null || stat.StartTicks < oldestTicks) oldestTicks = stat.StartTicks;
            if (pid <= 2 || stat.IsKernelThread || FamilyParent.IsServiceManager(stat.Comm)) continue;
            if (ProcFile.TryOwner(dir) is not { } uid) continue;
            // A non-dumpable process (one that changed credentials: a daemon's children after setuid) is
            // owned by root whatever its uid: for root-owned ones, read the real uid, which is what its
            // processes row records.
            if (uid == 0 && RealUid(dir, pid) is { } real) uid = real;
            var key = unchecked((int)uid);
            if (!oldest.TryGetValue(key, out var best) || stat.StartTicks < best.StartTicks
                || stat.StartTicks == best.StartTicks && pid < best.Pid)
                oldest[key] = new HolderScan.Oldest(pid, stat.StartTicks);
        }
        return new HolderScan(oldest, oldestTicks, scanned);
    }

    private uint? RealUid(string dir, int pid)
    {
        var length = ProcFile.TryRead(dir + "/status", ref _buffer, out _);
        if (length <= 0) return null;
        try { return ProcessInfoReader.ParseStatusUid(Encoding.UTF8.GetString(_buffer, 0, length), $"{pid}/status"); }
        catch (ProcFormatException) { return null; }
    }
}
