using System.Globalization;
using System.Text;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>What one pass over /proc found about the processes of our IPC namespace.</summary>
/// <param name="OldestByUid">uid → pid of its oldest live process that may hold objects (no pid 1, kernel thread or service manager).</param>
/// <param name="OldestStartTicks">Start ticks of the oldest live process of the namespace, any kind; null when none was readable.</param>
/// <param name="ProcessesScanned">Live processes read.</param>
public sealed record HolderScan(IReadOnlyDictionary<uint, int> OldestByUid, ulong? OldestStartTicks, int ProcessesScanned);

/// <summary>
/// The oldest live process of each uid in our IPC namespace: the kernel keeps no creator for an array
/// or a queue, so "a live process of uid N started before this object's ctime" is what is left to say
/// the object may still be held. The uid is the owner of /proc/PID, which is the effective uid (procps
/// does the same), except that a non-dumpable process (one that changed credentials, e.g. a daemon's
/// children after setuid) is owned by root. One pass: /proc/PID/stat, ns/ipc and one statx per process.
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
        var oldest = new Dictionary<uint, (ulong Ticks, int Pid)>();
        ulong? oldestTicks = null;
        var scanned = 0;
        foreach (var pid in proc.ProcessIds())
        {
            var dir = proc.PathOf(pid.ToString(CultureInfo.InvariantCulture));
            var length = ProcFile.TryRead(dir + "/stat", ref _buffer, out _);
            if (length <= 0) continue;
            ProcessStat stat;
            try { stat = ProcessInfoReader.ParseStat(Encoding.UTF8.GetString(_buffer, 0, length), $"{pid}/stat"); }
            catch (ProcFormatException) { continue; }
            if (stat.State is 'Z' or 'X') continue;
            if (ourNamespace is not null && NsIpcLink.Read(proc, pid) is { } ns && ns != ourNamespace) continue;
            scanned++;
            if (oldestTicks is null || stat.StartTicks < oldestTicks) oldestTicks = stat.StartTicks;
            if (pid <= 2 || stat.IsKernelThread || FamilyParent.IsServiceManager(stat.Comm)) continue;
            if (ProcFile.TryOwner(dir) is not { } uid) continue;
            if (!oldest.TryGetValue(uid, out var best) || (stat.StartTicks, pid).CompareTo(best) < 0)
                oldest[uid] = (stat.StartTicks, pid);
        }
        var byUid = new Dictionary<uint, int>(oldest.Count);
        foreach (var (uid, best) in oldest) byUid[uid] = best.Pid;
        return new HolderScan(byUid, oldestTicks, scanned);
    }
}
