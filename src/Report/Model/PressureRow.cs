namespace IpcAudit.Report.Model;

/// <summary>Per host and limit, named as `lsipc -g` names them.</summary>
public sealed record PressureRow
{
    public required string Host { get; init; }
    /// <summary>SHMMNI, SHMALL, SHMMAX, SEMMNI, SEMMNS, SEMMSL, MSGMNI, MSGMNB.</summary>
    public required string Limit { get; init; }
    public required ulong Used { get; init; }
    /// <summary>Null when the limit was not readable.</summary>
    public required ulong? Max { get; init; }
    public required double? Percent { get; init; }
    public required double? PeakPercent { get; init; }
    public required DateTimeOffset? PeakAt { get; init; }
    public required long SecondsAbove80 { get; init; }
    public required long SecondsAbove90 { get; init; }
    /// <summary>When the limit is reached if the window's slope holds; null when not rising.</summary>
    public required DateTimeOffset? ProjectedExhaustion { get; init; }
}

public static class LimitNames
{
    public const string Shmmni = "SHMMNI", Shmall = "SHMALL", Shmmax = "SHMMAX";
    public const string Semmni = "SEMMNI", Semmns = "SEMMNS", Semmsl = "SEMMSL";
    public const string Msgmni = "MSGMNI", Msgmnb = "MSGMNB";
    public static readonly IReadOnlyList<string> All = [Shmmni, Shmall, Shmmax, Semmni, Semmns, Semmsl, Msgmni, Msgmnb];
}
