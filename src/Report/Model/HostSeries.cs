namespace IpcAudit.Report.Model;

/// <summary>One host's object counts and bytes at each snapshot of the window, for charts.</summary>
public sealed record HostSeries(string Host, IReadOnlyList<SeriesPoint> Points);

public readonly record struct SeriesPoint(
    DateTimeOffset At, int ShmCount, int SemCount, int MsgCount, ulong ShmBytes, long Semaphores, ulong MsgBytes);
