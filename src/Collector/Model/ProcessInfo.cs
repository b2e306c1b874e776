namespace IpcAudit.Collector.Model;

/// <summary>
/// A process the collector records: one an IPC object names, the parent of one, or a holder (the
/// oldest live process of an object's owner). A process is Pid + StartTicks within one boot;
/// StartTime (btime + ticks) is only for comparing with kernel operation times, since btime moves
/// when the clock is stepped.
/// </summary>
public sealed record ProcessInfo
{
    public required int Pid { get; init; }
    public required bool Alive { get; init; }
    public string? Comm { get; init; }
    public string? Cmdline { get; init; }
    public uint? Uid { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>Field 22 of /proc/PID/stat: clock ticks since boot. Null when unknown.</summary>
    public ulong? StartTicks { get; init; }
    /// <summary>Field 4 of /proc/PID/stat; 0 when the parent is outside our PID namespace.</summary>
    public int? Ppid { get; init; }
    /// <summary>The parent's start ticks when the parent counts as family (<see cref="ProcessFamily"/>); null otherwise.</summary>
    public ulong? ParentStartTicks { get; init; }
    /// <summary>readlink of /proc/PID/exe, " (deleted)" kept as the kernel says it; null when unreadable (a kernel thread, another user's process).</summary>
    public string? Exe { get; init; }
    public FileIdentity? ExeFile { get; init; }
    /// <summary>readlink of /proc/PID/cwd: PostgreSQL's postmaster runs in its data directory.</summary>
    public string? Cwd { get; init; }
    public FileIdentity? CwdFile { get; init; }
    /// <summary>What /proc/PID/cgroup names: systemd unit, container runtime and id (<see cref="Proc.CgroupFile"/>).</summary>
    public CgroupIdentity? Cgroup { get; init; }
    /// <summary>Alive, but its start could not be read (hidepid, a start beyond year 9999): liveness of this pid is unknown.</summary>
    public bool StartUnknown => Alive && StartTime is null;
}
