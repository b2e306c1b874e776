using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// Who and where: hostname, machine-id, boot_id, kernel release, IPC namespace, page size, and
/// SYS_UID_MAX from login.defs (which uids are system accounts, for the RemoveIPC rule).
/// boot_id and the namespace split history: ids and keys mean nothing across either.
/// </summary>
public sealed class HostIdentityReader(ProcRoot proc, string machineIdPath = "/etc/machine-id", string? hostOverride = null,
    string loginDefsPath = "/etc/login.defs")
{
    public HostIdentity Read() => new()
    {
        Host = hostOverride ?? Trimmed(proc.ReadText("sys/kernel/hostname"))
            // A saved /proc copy must not borrow this machine's name.
            ?? (proc.IsLive ? Environment.MachineName : "unknown"),
        MachineId = Trimmed(ReadOptional(machineIdPath)),
        BootId = Trimmed(proc.ReadText("sys/kernel/random/boot_id")),
        Kernel = Trimmed(proc.ReadText("sys/kernel/osrelease")),
        IpcNamespace = NsIpcLink.Read(proc),
        PageSize = Environment.SystemPageSize,
        SysUidMax = LoginDefsFile.ReadSysUidMax(loginDefsPath),
    };

    private static string? Trimmed(string? text) => text?.Trim() is { Length: > 0 } t ? t : null;

    private static string? ReadOptional(string path) => ProcFile.ReadText(path);
}
