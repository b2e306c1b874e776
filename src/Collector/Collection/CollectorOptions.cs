namespace IpcAudit.Collector.Collection;

/// <summary>How a snapshot is taken: from which /proc, stamped with which time and host name.</summary>
public sealed record CollectorOptions
{
    public string ProcRoot { get; init; } = "/proc";
    public string MachineIdPath { get; init; } = "/etc/machine-id";
    public string LoginDefsPath { get; init; } = "/etc/login.defs";
    /// <summary>Where passwd and group are read for names (a saved /proc copy uses &lt;root&gt;/etc instead).</summary>
    public string EtcDirectory { get; init; } = "/etc";
    public DateTimeOffset? At { get; init; }
    public string? HostOverride { get; init; }
    /// <summary>The POSIX shared memory tmpfs (only read with the live /proc).</summary>
    public string DevShmPath { get; init; } = Proc.DevShmDirectory.DefaultPath;
    /// <summary>
    /// False for an IPC namespace entered from outside: /dev/shm and the mqueue mount the collector sees
    /// are its own mount namespace's, so reading them there would file the host's POSIX objects under
    /// the container too.
    /// </summary>
    public bool Posix { get; init; } = true;
}
