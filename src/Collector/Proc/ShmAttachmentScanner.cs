using System.Globalization;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>What one pass over /proc/PID/maps found.</summary>
/// <param name="PidsByShmid">shmid → the pids (sorted, distinct) that map it now.</param>
/// <param name="ProcessesScanned">Processes in our IPC namespace whose maps were read.</param>
/// <param name="ProcessesUnreadable">Processes whose ns link or maps could not be read (another user's, as non-root).</param>
/// <param name="ProcessesInOtherNamespaces">Skipped: their shmids are another namespace's.</param>
/// <param name="FirstFormatError">The first maps line that did not parse (counted as unreadable), if any.</param>
/// <param name="FirstUnreadable">The first process whose maps could not be read, and why (errno name), for the warning.</param>
public sealed record ShmAttachmentScan(
    IReadOnlyDictionary<int, IReadOnlyList<int>> PidsByShmid,
    int ProcessesScanned,
    int ProcessesUnreadable,
    int ProcessesInOtherNamespaces,
    string? FirstFormatError = null,
    (int Pid, string Why)? FirstUnreadable = null);

/// <summary>
/// Who maps which segment: nattch says how many, only /proc/PID/maps says who.
/// Not thread-safe: one scanner reuses one read buffer. With <paramref name="posix"/>, the same pass also
/// finds the holders of POSIX objects (one walk over /proc for both).
/// </summary>
public sealed class ShmAttachmentScanner(ProcRoot proc, PosixHolderScan? posix = null)
{
    private byte[] _buffer = new byte[16 * 1024];

    public ShmAttachmentScan Scan()
    {
        // Without ns links (very old kernels) every process is taken to share our namespace.
        var ourNamespace = NsIpcLink.Read(proc);
        var pidsByShmid = new Dictionary<int, List<int>>();
        var shmids = new List<int>();
        int scanned = 0, unreadable = 0, otherNamespace = 0;
        string? firstError = null;
        (int Pid, string Why)? firstUnreadable = null;

        foreach (var pid in proc.ProcessIds())
        {
            shmids.Clear();
            try
            {
                // Unknown namespace (null) is read on: a zombie's maps is empty, and another user's
                // process (readlink gives EACCES, which LinkTarget reports as null) fails on maps
                // below with EACCES and is counted as unreadable instead of silently skipped.
                var ns = ourNamespace is null ? null : NsIpcLink.Read(proc, pid);
                if (ns is not null && ns != ourNamespace)
                {
                    otherNamespace++;
                    continue;
                }
                var maps = $"{pid}/maps";
                var length = ProcFile.TryRead(proc.PathOf(maps), ref _buffer, out var errno);
                // A thread-group leader that exited while other threads run is a zombie with no maps and
                // no ns links; the process lives on in its threads, which share one address space.
                if (length == 0 && ns is null && ourNamespace is not null)
                {
                    var thread = LiveThreadMaps(pid, ourNamespace.Value);
                    if (thread.OtherNamespace)
                    {
                        otherNamespace++;
                        continue;
                    }
                    if (thread.Length > 0) (maps, length) = (thread.File, thread.Length);
                }
                if (length < 0)
                {
                    switch (errno)
                    {
                        case Errno.ENOENT or Errno.ENOTDIR: continue;
                        case Errno.EACCES or Errno.EPERM:
                            unreadable++;
                            firstUnreadable ??= (pid, errno == Errno.EACCES ? "permission denied (EACCES)" : "operation not permitted (EPERM)");
                            continue;
                        // ESRCH and friends when the process exited between listing and reading.
                        default:
                            if (Directory.Exists(proc.PathOf(pid.ToString(CultureInfo.InvariantCulture)))) unreadable++;
                            continue;
                    }
                }
                ProcessMapsFile.Collect(_buffer.AsSpan(0, length), maps, shmids);
                posix?.ScanProcess(pid, _buffer.AsSpan(0, length));
            }
            catch (FileNotFoundException) { continue; }
            catch (DirectoryNotFoundException) { continue; }
            catch (UnauthorizedAccessException) { unreadable++; firstUnreadable ??= (pid, "permission denied"); continue; }
            catch (ProcFormatException e) { unreadable++; firstError ??= e.Message; firstUnreadable ??= (pid, e.Message); continue; }
            catch (IOException)
            {
                // ESRCH and friends when the process exited between listing and reading.
                if (Directory.Exists(proc.PathOf(pid.ToString(CultureInfo.InvariantCulture)))) unreadable++;
                continue;
            }

            scanned++;
            foreach (var shmid in shmids)
            {
                if (!pidsByShmid.TryGetValue(shmid, out var pids)) pidsByShmid[shmid] = pids = new List<int>(2);
                pids.Add(pid);
            }
        }

        var result = new Dictionary<int, IReadOnlyList<int>>(pidsByShmid.Count);
        foreach (var (shmid, pids) in pidsByShmid)
        {
            // Each pid was added once per shmid; only the order is left to fix.
            var sorted = pids.ToArray();
            Array.Sort(sorted);
            result[shmid] = sorted;
        }
        return new ShmAttachmentScan(result, scanned, unreadable, otherNamespace, firstError, firstUnreadable);
    }

    /// <summary>The first non-empty /proc/PID/task/TID/maps of a thread other than the leader, read into the buffer.</summary>
    private (string File, int Length, bool OtherNamespace) LiveThreadMaps(int pid, ulong ourNamespace)
    {
        var task = $"{pid.ToString(CultureInfo.InvariantCulture)}/task";
        if (!Directory.Exists(proc.PathOf(task))) return ("", 0, false);
        foreach (var tid in new ProcRoot(proc.PathOf(task)).ProcessIds())
        {
            if (tid == pid) continue;
            var thread = $"{task}/{tid.ToString(CultureInfo.InvariantCulture)}";
            if (NsIpcLink.Read(proc.PathOf(thread + "/ns/ipc")) is { } ns && ns != ourNamespace) return ("", 0, true);
            var length = ProcFile.TryRead(proc.PathOf(thread + "/maps"), ref _buffer, out _);
            if (length > 0) return (thread + "/maps", length, false);
        }
        return ("", 0, false);
    }
}
