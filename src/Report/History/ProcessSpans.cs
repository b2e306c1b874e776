namespace IpcAudit.Report.History;

/// <summary>One live span of a referenced process: [From, To) in snapshot times, To = long.MaxValue while open.</summary>
public readonly record struct ProcessSpan(int Pid, long StartTime, long From, long To, string? Comm, string? Cmdline)
{
    public bool Covers(long at) => From <= at && at < To;

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

    public ProcessSpans(IEnumerable<ProcessSpan> spans) =>
        _byPid = spans.GroupBy(s => s.Pid).ToDictionary(g => g.Key, g => g.OrderBy(s => s.From).ToArray());

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
