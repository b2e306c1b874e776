namespace IpcAudit.Report.Model;

/// <summary>Per host, kind and owner: counts and bytes over the window; slopes by least squares over all snapshots.</summary>
public sealed record GrowthRow
{
    public required string Host { get; init; }
    /// <summary>The IPC namespace inode of the row's unit, and its label ("host", "docker:3f2a1b9c0d1e"); null when unknown.</summary>
    public long? Namespace { get; init; }
    public string? NamespaceLabel { get; init; }
    public required string Kind { get; init; }
    public required uint Owner { get; init; }
    public required long StartCount { get; init; }
    public required long EndCount { get; init; }
    public required ulong StartBytes { get; init; }
    public required ulong EndBytes { get; init; }
    public required double CountSlopePerDay { get; init; }
    public required double BytesSlopePerDay { get; init; }
    public required long Created { get; init; }
    public required long Removed { get; init; }
}
