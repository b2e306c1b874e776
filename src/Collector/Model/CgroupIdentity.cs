namespace IpcAudit.Collector.Model;

/// <summary>
/// What a process's cgroup path says about it (<see cref="Proc.CgroupFile"/>): the systemd unit
/// ("postgresql@15-main.service", "session-4.scope"), and for a container the runtime ("docker",
/// "podman", "containerd", "cri-o", "kubernetes", "lxc"), its id or name and the Kubernetes pod uid.
/// Each is null when the path does not say.
/// </summary>
public sealed record CgroupIdentity(string Path, string? Unit, string? Runtime, string? ContainerId, string? PodUid);
