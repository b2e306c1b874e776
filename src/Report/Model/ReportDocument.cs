namespace IpcAudit.Report.Model;

/// <summary>
/// Everything `ipcaudit report` found over a window. JSON section names are fixed (users script
/// them); table, CSV and HTML show the same facts.
/// </summary>
public sealed record ReportDocument
{
    public required ReportWindow Window { get; init; }
    public required IReadOnlyList<OrphanFinding> Orphans { get; init; }
    /// <summary>Unused for at least --orphan-age without proof that the holder is gone; never a removal command.</summary>
    public IReadOnlyList<OrphanFinding> Idle { get; init; } = [];
    public required IReadOnlyList<GrowthRow> Growth { get; init; }
    public required IReadOnlyList<PressureRow> Pressure { get; init; }
    public required IReadOnlyList<ChurnRow> Churn { get; init; }
    /// <summary>Per-host time series for the HTML charts (not part of the JSON contract).</summary>
    public required IReadOnlyList<HostSeries> Series { get; init; }
}

/// <summary>`window`: since, until, snapshots, hosts.</summary>
public sealed record ReportWindow(DateTimeOffset Since, DateTimeOffset Until, int Snapshots, IReadOnlyList<string> Hosts);

/// <summary>"shm" | "sem" | "msg".</summary>
public static class IpcKind
{
    public const string Shm = "shm";
    public const string Sem = "sem";
    public const string Msg = "msg";
}
