namespace IpcAudit.Report.Model;

/// <summary>Per host and limit, named as `lsipc -g` names them.</summary>
public sealed record PressureRow
{
    public required string Host { get; init; }
    /// <summary>The IPC namespace inode of the row's unit, and its label ("host", "docker:3f2a1b9c0d1e"); null when unknown.</summary>
    public long? Namespace { get; init; }
    public string? NamespaceLabel { get; init; }
    /// <summary>SHMMNI, SHMALL, SHMMAX, SEMMNI, SEMMNS, SEMMSL, MSGMNI, MSGMNB.</summary>
    public required string Limit { get; init; }
    /// <summary><see cref="LimitRoles.Pool"/> (every object draws on it) or <see cref="LimitRoles.Cap"/> (a ceiling on one object).</summary>
    public string Role => LimitRoles.Of(Limit);
    /// <summary>What counts against the limit at the last snapshot; for MSGMNB the larger of the fullest queue's bytes and messages.</summary>
    public required ulong Used { get; init; }
    /// <summary>Null when the limit was not readable.</summary>
    public required ulong? Max { get; init; }
    public required double? Percent { get; init; }
    public required double? PeakPercent { get; init; }
    public required DateTimeOffset? PeakAt { get; init; }
    public required long SecondsAbove80 { get; init; }
    public required long SecondsAbove90 { get; init; }
    /// <summary>A pool at 100 % at the last snapshot: the first snapshot of the unbroken run at 100 % (in the latest boot).</summary>
    public DateTimeOffset? ExhaustedSince { get; init; }
    /// <summary>
    /// A pool below 100 %: when it is reached if the recent trend holds
    /// (<see cref="Analysis.LimitPressureAnalyzer.TrendWindow"/>), within a year; null otherwise.
    /// </summary>
    public required DateTimeOffset? ProjectedExhaustion { get; init; }
    /// <summary>Of a pool over the recent trend window: rising, flat or falling; null for a cap, an unknown limit or too few snapshots.</summary>
    public string? Trend { get; init; }
    /// <summary>MSGMNB only: the fullest queue's messages and bytes at the last snapshot (both count against its qbytes).</summary>
    public ulong? QueueMessages { get; init; }
    public ulong? QueueBytes { get; init; }
}

public static class LimitNames
{
    public const string Shmmni = "SHMMNI", Shmall = "SHMALL", Shmmax = "SHMMAX";
    public const string Semmni = "SEMMNI", Semmns = "SEMMNS", Semmsl = "SEMMSL";
    public const string Msgmni = "MSGMNI", Msgmnb = "MSGMNB";
    public static readonly IReadOnlyList<string> All = [Shmmni, Shmall, Shmmax, Semmni, Semmns, Semmsl, Msgmni, Msgmnb];
}

/// <summary>
/// A pool is shared by every object (or every message of a queue): running it out stops the next
/// creation or send. A cap bounds one object's size (SHMMAX: one segment's bytes, SEMMSL: one array's
/// semaphores): an object at its cap is how it was sized (an Oracle SGA is often exactly SHMMAX), so
/// a cap is information, never pressure.
/// </summary>
public static class LimitRoles
{
    public const string Pool = "pool", Cap = "cap";

    public static string Of(string limit) => limit is LimitNames.Shmmax or LimitNames.Semmsl ? Cap : Pool;
}

public static class TrendNames
{
    public const string Rising = "rising", Flat = "flat", Falling = "falling";
}
