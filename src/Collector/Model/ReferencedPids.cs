namespace IpcAudit.Collector.Model;

/// <summary>Every pid an object points at (creator, last users, semaphore pids, attachers), sorted, without 0.</summary>
public static class ReferencedPids
{
    public static int[] Of(IEnumerable<ShmSegment> shm, IEnumerable<SemArray> sem, IEnumerable<MsgQueue> msg)
    {
        var pids = new List<int>();
        foreach (var s in shm)
        {
            pids.Add(s.Cpid);
            pids.Add(s.Lpid);
            if (s.AttachedPids is { } a) pids.AddRange(a);
        }
        foreach (var s in sem)
            if (s.Semaphores is { } values) foreach (var v in values) pids.Add(v.Pid);
        foreach (var q in msg)
        {
            pids.Add(q.Lspid);
            pids.Add(q.Lrpid);
        }
        return SortedPositiveDistinct(pids);
    }

    /// <summary>
    /// Sorted, distinct, &gt; 0. A sorted list rather than SortedSet&lt;int&gt;: that generic instantiation
    /// is in no ReadyToRun image, and JIT-compiling it cost the collector more than the sorting.
    /// </summary>
    public static int[] SortedPositiveDistinct(List<int> pids)
    {
        pids.Sort();
        var kept = 0;
        for (var i = 0; i < pids.Count; i++)
            if (pids[i] > 0 && (kept == 0 || pids[kept - 1] != pids[i])) pids[kept++] = pids[i];
        pids.RemoveRange(kept, pids.Count - kept);
        return pids.ToArray();
    }
}
