using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// Every IPC namespace in use on the host: one pass over /proc/PID/{ns/ipc,stat}. A namespace with no
/// process left is freed by the kernel with all its objects, so the namespaces processes are in are all
/// there are (a bind-mounted ns file can keep one alive with no process: it is not found, see README).
/// Processes whose link cannot be read (another user's, as non-root) are counted, not guessed.
/// </summary>
public sealed class IpcNamespaceScanner(ProcRoot proc)
{
    private byte[] _buffer = new byte[1024];

    public sealed record Result(IReadOnlyList<IpcNamespaceMembers> Namespaces, int ProcessesUnreadable);

    public Result Scan()
    {
        var members = new Dictionary<ulong, List<(ulong Ticks, int Pid)>>();
        var unreadable = 0;
        foreach (var pid in proc.ProcessIds())
        {
            ulong? ns;
            try { ns = NsIpcLink.Read(proc, pid); }
            catch (UnauthorizedAccessException) { unreadable++; continue; }
            catch (IOException) { continue; }
            // Kernel threads and zombies have no readable link: they hold no namespace.
            if (ns is not { } inode) continue;
            if (LiveProcessStat.Read(proc, pid, ref _buffer) is not { } stat) continue;
            if (!members.TryGetValue(inode, out var list)) members[inode] = list = [];
            list.Add((stat.StartTicks, pid));
        }
        var result = new List<IpcNamespaceMembers>(members.Count);
        foreach (var (inode, list) in members)
        {
            list.Sort();
            result.Add(new IpcNamespaceMembers(inode, list.ConvertAll(m => m.Pid)));
        }
        result.Sort((a, b) => a.Inode.CompareTo(b.Inode));
        return new Result(result, unreadable);
    }
}
