namespace IpcAudit.Collector.Model;

/// <summary>Every pid an object points at (creator, last users, semaphore pids, attachers), sorted, without 0.</summary>
public static class ReferencedPids
{
    public static SortedSet<int> Of(IEnumerable<ShmSegment> shm, IEnumerable<SemArray> sem, IEnumerable<MsgQueue> msg)
    {
        var pids = new SortedSet<int>();
        foreach (var s in shm)
        {
            pids.Add(s.Cpid);
            pids.Add(s.Lpid);
            if (s.AttachedPids is { } a) pids.UnionWith(a);
        }
        foreach (var s in sem)
            if (s.Semaphores is { } values) foreach (var v in values) pids.Add(v.Pid);
        foreach (var q in msg)
        {
            pids.Add(q.Lspid);
            pids.Add(q.Lrpid);
        }
        pids.Remove(0);
        return pids;
    }
}
