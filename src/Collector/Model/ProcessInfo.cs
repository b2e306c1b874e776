namespace IpcAudit.Collector.Model;

/// <summary>
/// A pid referenced by an IPC object. StartTime tells a live creator from a reused pid:
/// a process that started after the object was created is not its creator.
/// </summary>
public sealed record ProcessInfo
{
    public required int Pid { get; init; }
    public required bool Alive { get; init; }
    public string? Comm { get; init; }
    public string? Cmdline { get; init; }
    public uint? Uid { get; init; }
    public DateTimeOffset? StartTime { get; init; }
}
