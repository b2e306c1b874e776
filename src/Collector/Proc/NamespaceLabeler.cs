using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// Names an IPC namespace from its processes: the container runtime and id their cgroup paths name
/// (<see cref="CgroupFile"/>), else the hostname of their UTS namespace when it is not the host's, else
/// the command of the oldest process. The initial namespace is "host".
/// </summary>
public static class NamespaceLabeler
{
    /// <summary>Container ids are 64 hex digits; 12 is what `docker ps` and `podman ps` show.</summary>
    private const int ShortId = 12;

    /// <summary>Only the first processes are asked for a cgroup: a container's init is among its oldest.</summary>
    private const int CgroupProbes = 8;

    public static NamespaceLabel Label(ProcRoot proc, ulong inode, IReadOnlyList<int> pidsOldestFirst, string? utsHostname, string? hostHostname)
    {
        var command = pidsOldestFirst.Count > 0 ? proc.ReadText($"{pidsOldestFirst[0].ToString(CultureInfo.InvariantCulture)}/comm")?.Trim() : null;
        if (command is { Length: 0 }) command = null;
        CgroupIdentity? container = null;
        foreach (var pid in pidsOldestFirst.Take(CgroupProbes))
            if (CgroupFile.Read(proc, pid) is { } c && (c.Runtime is not null || c.PodUid is not null))
            {
                container = c;
                break;
            }
        var hostname = utsHostname is { Length: > 0 } ? utsHostname : null;
        var text = Text(inode, container, hostname, hostHostname, command);
        return new NamespaceLabel(text, container?.Runtime, container?.ContainerId, container?.PodUid, hostname, command);
    }

    public static string Text(ulong inode, CgroupIdentity? container, string? hostname, string? hostHostname, string? command)
    {
        if (inode == NsIpcLink.InitialNamespace) return NamespaceLabel.Host;
        // A pod's containers share one IPC namespace: the pod, not one of its containers, is what it is.
        if (container?.PodUid is { } pod) return $"kubernetes pod:{pod}";
        if (container?.Runtime is { } runtime)
            return container.ContainerId is { } id ? $"{runtime}:{(IsHex(id) && id.Length > ShortId ? id[..ShortId] : id)}" : runtime;
        if (hostname is not null && !string.Equals(hostname, hostHostname, StringComparison.Ordinal)) return $"uts:{hostname}";
        return command is not null ? $"cmd:{command}" : $"ipc:{inode.ToString(CultureInfo.InvariantCulture)}";
    }

    private static bool IsHex(string s) => !s.AsSpan().ContainsAnyExcept("0123456789abcdef");
}
