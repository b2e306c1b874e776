namespace IpcAudit.Collector.Collection;

/// <summary>How a snapshot is taken: from which /proc, stamped with which time and host name.</summary>
public sealed record CollectorOptions
{
    public string ProcRoot { get; init; } = "/proc";
    public string MachineIdPath { get; init; } = "/etc/machine-id";
    public string LoginDefsPath { get; init; } = "/etc/login.defs";
    public DateTimeOffset? At { get; init; }
    public string? HostOverride { get; init; }
    /// <summary>The POSIX shared memory tmpfs (only read with the live /proc).</summary>
    public string DevShmPath { get; init; } = Proc.DevShmDirectory.DefaultPath;
}
