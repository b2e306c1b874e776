namespace IpcAudit.Collector.Model;

/// <summary>
/// A process an object recorded: role is creator, last user, attacher, sender or receiver. Alive at the
/// last snapshot; null when liveness was unknown. Comm, cmdline, exe and unit as first seen (null when
/// it was gone before the collector could read it).
/// </summary>
public sealed record ObjectProcess(int Pid, string Role, bool? Alive, string? Comm, string? Cmdline, string? Exe, string? Unit);
