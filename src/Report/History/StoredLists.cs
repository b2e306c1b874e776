namespace IpcAudit.Report.History;

/// <summary>
/// The two list columns as the writer stores them (compact JSON of integers: attached_pids
/// "[501,502]", semaphores "[[value,ncount,zcount,pid],...]"), read without a serializer: the
/// report scans them on hot paths and needs only a few of the numbers.
/// </summary>
public static class StoredLists
{
    /// <summary>Every integer in the text, in order.</summary>
    public static void Integers(ReadOnlySpan<char> json, List<long> into)
    {
        var i = 0;
        while (i < json.Length)
        {
            var c = json[i];
            if (c is not ('-' or (>= '0' and <= '9'))) { i++; continue; }
            var negative = c == '-';
            if (negative) i++;
            long v = 0;
            while (i < json.Length && json[i] is >= '0' and <= '9') v = v * 10 + (json[i++] - '0');
            into.Add(negative ? -v : v);
        }
    }

    public static int[] Pids(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        var values = new List<long>();
        Integers(json, values);
        return values.Select(v => (int)v).ToArray();
    }

    /// <summary>
    /// Whether any semaphore has a waiter (ncount or zcount &gt; 0), and the distinct non-zero pids of
    /// the last semop on each semaphore.
    /// </summary>
    public static (bool Waiters, int[] Pids) Semaphores(string json)
    {
        var values = new List<long>();
        Integers(json, values);
        var waiters = false;
        var pids = new SortedSet<int>();
        for (var i = 0; i + 3 < values.Count; i += 4)
        {
            waiters |= values[i + 1] > 0 || values[i + 2] > 0;
            if (values[i + 3] != 0) pids.Add((int)values[i + 3]);
        }
        return (waiters, pids.ToArray());
    }
}
