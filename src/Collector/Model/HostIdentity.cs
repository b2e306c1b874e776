namespace IpcAudit.Collector.Model;

/// <summary>Who and where a snapshot was taken. boot_id splits history: ids mean nothing across a reboot.</summary>
public sealed record HostIdentity
{
    public required string Host { get; init; }
    public string? MachineId { get; init; }
    public string? BootId { get; init; }
    public string? Kernel { get; init; }
    /// <summary>Inode of /proc/self/ns/ipc: shmids are per IPC namespace.</summary>
    public ulong? IpcNamespace { get; init; }
    public required int PageSize { get; init; }
    /// <summary>SYS_UID_MAX from the host's /etc/login.defs; null when absent or unreadable (the report then assumes 999).</summary>
    public uint? SysUidMax { get; init; }
}
