namespace IpcAudit.Report.Model;

/// <summary>One host's object counts and bytes at each snapshot of the window, for charts.</summary>
/// <param name="Reboots">The first snapshot of each later boot in the window: where ids and objects start over.</param>
public sealed record HostSeries(string Host, IReadOnlyList<SeriesPoint> Points, IReadOnlyList<DateTimeOffset>? Reboots = null);

public readonly record struct SeriesPoint(
    DateTimeOffset At, int ShmCount, int SemCount, int MsgCount, ulong ShmBytes, long Semaphores, ulong MsgBytes);
