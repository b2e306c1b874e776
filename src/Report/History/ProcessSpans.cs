namespace IpcAudit.Report.History;

/// <summary>
/// One live span of a recorded process: [From, To) in snapshot times, To = long.MaxValue while open.
/// StartTicks, Ppid and ParentStartTicks are null in history written before schema 2;
/// ParentStartTicks is null too when the parent does not count as family (init, a service manager).
/// </summary>
public readonly record struct ProcessSpan(int Pid, long StartTime, long From, long To, string? Comm, string? Cmdline)
{
    public uint? Uid { get; init; }
    public long? StartTicks { get; init; }
    public int? Ppid { get; init; }
    public long? ParentStartTicks { get; init; }
    /// <summary>Executable, working directory and cgroup as first seen (schema 6); null in older history.</summary>
    public ProcessDetails? Details { get; init; }

    public bool Covers(long at) => From <= at && at < To;

    /// <summary>The same process as <paramref name="other"/> (another span of it): pid and start ticks, else start time within the jitter tolerance.</summary>
    public bool SameProcess(in ProcessSpan other) => Pid == other.Pid && (StartTicks is { } a && other.StartTicks is { } b
        ? a == b
        : Math.Abs(StartTime - other.StartTime) <= ProcessSpans.StartToleranceMs);

    /// <summary>The command line when known, else comm.</summary>
    public string? Command => string.IsNullOrEmpty(Cmdline) ? Comm : Cmdline;
}

/// <summary>
/// Who was alive when, in one context. The processes table holds only referenced live pids, so a
/// pid with no span covering a snapshot was dead at it (when that snapshot's 'processes' step succeeded).
/// "Alive for an object" also needs the process to have started before the operation that recorded
/// its pid: a later process under the same pid is a reuse, not the user.
/// </summary>
public sealed class ProcessSpans
{
    /// <summary>
    /// btime jitter: a process's absolute start time can move by a second between snapshots
    /// (the writer uses the same tolerance to tell one process from a reused pid).
    /// </summary>
    public const long StartToleranceMs = 2000;

    private static readonly ProcessSpan[] None = [];
    private readonly Dictionary<int, ProcessSpan[]> _byPid;

    private readonly Dictionary<(int Ppid, long Ticks), ProcessSpan[]> _byParent;

    public ProcessSpans(IEnumerable<ProcessSpan> spans)
    {
        var all = spans.ToList();
        _byPid = all.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.OrderBy(s => s.From).ToArray());
        _byParent = all.Where(s => s.Ppid is not null && s.ParentStartTicks is not null)
            .GroupBy(s => (s.Ppid!.Value, s.ParentStartTicks!.Value)).ToDictionary(g => g.Key, g => g.OrderBy(s => s.From).ToArray());
    }

    private (long At, Dictionary<uint, ProcessSpan> Oldest)? _oldestAlive;

    /// <summary>
    /// The oldest recorded process of <paramref name="uid"/> alive at <paramref name="at"/>, leaving out
    /// pid 1: what could have created an object before its ctime and still hold it. Built once per time
    /// asked (a report asks about the last snapshot of each context).
    /// </summary>
    public ProcessSpan? OldestAlive(uint uid, long at)
    {
        if (_oldestAlive is not { } cache || cache.At != at)
        {
            var oldest = new Dictionary<uint, ProcessSpan>();
            foreach (var spans in _byPid.Values)
                foreach (var s in spans)
                    if (s.Covers(at) && s.Pid != 1 && s.Uid is { } u && (!oldest.TryGetValue(u, out var o) || s.StartTime < o.StartTime))
                        oldest[u] = s;
            _oldestAlive = cache = (at, oldest);
        }
        return cache.Oldest.TryGetValue(uid, out var found) ? found : null;
    }

    /// <summary>
    /// The process that did an operation at <paramref name="opTime"/> under <paramref name="pid"/>, as the
    /// collector saw it: started before the operation and not yet seen gone when it happened. Null when
    /// no recorded process fits: it lived and died between two snapshots.
    /// </summary>
    public ProcessSpan? Operator(int pid, long? opTime)
    {
        ProcessSpan? found = null;
        foreach (var s in Of(pid))
        {
            if (opTime is { } op && (s.StartTime > op + StartToleranceMs || op >= s.To)) continue;
            if (found is not { } f || s.StartTime > f.StartTime + StartToleranceMs) found = s;
            else if (s.SameProcess(f) && s.To > f.To) found = s;
        }
        return found;
    }

    /// <summary>When the process was last seen gone: the end of its latest span (long.MaxValue while alive).</summary>
    public long GoneAt(in ProcessSpan process)
    {
        var end = process.To;
        foreach (var s in Of(process.Pid)) if (s.SameProcess(process)) end = Math.Max(end, s.To);
        return end;
    }

    /// <summary>Some span of the same process covers <paramref name="at"/>.</summary>
    public bool Alive(in ProcessSpan process, long at)
    {
        foreach (var s in Of(process.Pid)) if (s.SameProcess(process) && s.Covers(at)) return true;
        return false;
    }

    /// <summary>The recorded parent of a process; null when it was not recorded or does not count as family.</summary>
    public ProcessSpan? Parent(in ProcessSpan child)
    {
        if (child.Ppid is not { } ppid || child.ParentStartTicks is not { } ticks) return null;
        ProcessSpan? found = null;
        foreach (var s in Of(ppid)) if (s.StartTicks == ticks && (found is not { } f || s.To > f.To)) found = s;
        return found;
    }

    /// <summary>The recorded children of a process (only processes with start ticks can have any).</summary>
    public ReadOnlySpan<ProcessSpan> Children(in ProcessSpan parent) =>
        parent.StartTicks is { } t && _byParent.TryGetValue((parent.Pid, t), out var c) ? c : None;

    /// <summary>Every recorded span, for attribution's look-ups by file (working directory, executable).</summary>
    public IEnumerable<ProcessSpan> All => _byPid.Values.SelectMany(s => s);

    public ReadOnlySpan<ProcessSpan> Of(int pid) => _byPid.TryGetValue(pid, out var s) ? s : None;

    /// <summary>
    /// The process that did an operation at <paramref name="opTime"/> under <paramref name="pid"/> was
    /// alive at <paramref name="at"/>. Without an operation time any process under the pid counts.
    /// </summary>
    public bool AliveAt(int pid, long at, long? opTime)
    {
        if (pid <= 0) return false;
        foreach (var s in Of(pid))
            if (s.Covers(at) && (opTime is not { } op || s.StartTime <= op + StartToleranceMs)) return true;
        return false;
    }

    /// <summary>Some process, maybe a later one, held the pid at <paramref name="at"/>.</summary>
    public bool PidInUseAt(int pid, long at)
    {
        foreach (var s in Of(pid)) if (s.Covers(at)) return true;
        return false;
    }

    /// <summary>The process that did the operation: the latest one under the pid started before it.</summary>
    public ProcessSpan? Identify(int pid, long? opTime)
    {
        ProcessSpan? found = null;
        foreach (var s in Of(pid))
            if ((opTime is not { } op || s.StartTime <= op + StartToleranceMs) && (found is not { } f || s.StartTime >= f.StartTime))
                found = s;
        return found;
    }

    /// <summary>Times inside (from, to) where the pid's liveness can change.</summary>
    public void AddBoundaries(int pid, long from, long to, List<long> into)
    {
        foreach (var s in Of(pid))
        {
            if (s.From > from && s.From < to) into.Add(s.From);
            if (s.To > from && s.To < to) into.Add(s.To);
        }
    }
}
