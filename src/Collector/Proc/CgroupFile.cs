using System.Text.RegularExpressions;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /proc/PID/cgroup (man 7 cgroups): one "hierarchy-ID:controller-list:cgroup-path" line per hierarchy.
/// cgroup v2 is the single line "0::PATH"; under v1 the "name=systemd" hierarchy holds the same tree
/// systemd manages, so it is the one to read when there is no v2 line. The path names the service
/// (the systemd unit) and, for containers, the runtime and container id: that is what
/// <see cref="Classify"/> reads, nothing more. A path inside a cgroup namespace is relative to its
/// root ("/" in most containers) and names nothing.
/// </summary>
public static partial class CgroupFile
{
    /// <summary>
    /// The path of the hierarchy that names services. Under v1 and the hybrid layout that is
    /// "name=systemd": docker's cgroupfs driver moves its containers there but leaves the unified
    /// "0::" line at containerd's service. Under pure v2 it is the "0::" line; failing both, the first
    /// non-root v1 path.
    /// </summary>
    public static string? ParsePath(string text)
    {
        string? systemd = null, unified = null, other = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var first = line.IndexOf(':');
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0) continue;
            var hierarchy = line.AsSpan(0, first);
            var controllers = line.AsSpan(first + 1, second - first - 1);
            var path = line[(second + 1)..];
            if (path.Length == 0 || path[0] != '/') continue;
            if (hierarchy is "0" && controllers.IsEmpty) unified ??= path;
            else if (controllers.SequenceEqual("name=systemd")) systemd ??= path;
            else if (path != "/") other ??= path;
        }
        return systemd ?? unified ?? other;
    }

    /// <summary>Reads and classifies /proc/PID/cgroup; null when the process is gone or the file unreadable.</summary>
    public static CgroupIdentity? Read(ProcRoot proc, int pid)
    {
        try
        {
            return proc.ReadText($"{pid}/cgroup") is { } text && ParsePath(text) is { } path ? Classify(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// What a cgroup path says about the service and container of the processes in it. Matches
    /// the layouts the runtimes document (systemd and cgroupfs drivers alike):
    ///   docker    /system.slice/docker-ID.scope, /docker/ID
    ///   podman    /machine.slice/libpod-ID.scope, .../user@1000.service/user.slice/libpod-ID.scope,
    ///             libpod-conmon-ID.scope for its monitor
    ///   kubernetes /kubepods.slice/kubepods-QOS.slice/kubepods-QOS-podUID.slice/cri-containerd-ID.scope
    ///             (crio-ID.scope, docker-ID.scope), /kubepods/QOS/podUID/ID
    ///   containerd (no kubelet) /system.slice/containerd.service/NAMESPACE/ID... , cri-containerd-ID.scope
    ///   lxc       /lxc.payload.NAME/..., /lxc.monitor.NAME, /lxc/NAME (before LXC 4)
    /// The unit is the innermost ".service" or ".scope" component inside the container, if any (LXC
    /// runs systemd inside); units around a container are its runtime's or user's manager, not its service.
    /// </summary>
    public static CgroupIdentity Classify(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? unit = null, runtime = null, container = null, pod = null;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (PodSlice().Match(part) is { Success: true } slice) pod = slice.Groups["uid"].Value.Replace('_', '-');
            else if (PodDirectory().Match(part) is { Success: true } dir && Array.IndexOf(parts, "kubepods") is var k and >= 0 && k < i)
                pod = dir.Groups["uid"].Value;

            if (ScopedContainer().Match(part) is { Success: true } scoped)
            {
                runtime = scoped.Groups["runtime"].Value switch
                {
                    "docker" => "docker",
                    "libpod" => "podman",
                    "cri-containerd" => "containerd",
                    "crio" => "cri-o",
                    var other => other,
                };
                container = scoped.Groups["id"].Value;
                unit = null; // user@1000.service around a rootless container is the user's manager, not its service
                continue;
            }
            if (i > 0 && ContainerId().IsMatch(part))
            {
                // The cgroupfs drivers: /docker/ID, /kubepods/QOS/podUID/ID, /system.slice/containerd.service/NS/ID.
                var parent = parts[i - 1];
                if (parent == "docker") (runtime, container) = ("docker", part);
                else if (pod is not null) (runtime, container) = ("kubernetes", part);
                else if (Array.IndexOf(parts, "containerd.service") is var c and >= 0 && c < i) (runtime, container) = ("containerd", part);
                else continue;
                unit = null;
                continue;
            }
            if (LxcName(parts, i) is { } name) (runtime, container, unit) = ("lxc", name, null);
            else if (part.EndsWith(".service", StringComparison.Ordinal) || part.EndsWith(".scope", StringComparison.Ordinal))
                unit = part;
        }
        if (pod is not null && runtime is null) runtime = "kubernetes";
        return new CgroupIdentity(path, unit, runtime, container, pod);
    }

    /// <summary>The LXC container a component names: lxc.payload.NAME (LXC 4+, lxc.monitor.NAME for its monitor) or /lxc/NAME.</summary>
    private static string? LxcName(string[] parts, int i)
    {
        var part = parts[i];
        foreach (var prefix in (ReadOnlySpan<string>)["lxc.payload.", "lxc.monitor."])
            if (part.StartsWith(prefix, StringComparison.Ordinal) && part.Length > prefix.Length) return part[prefix.Length..];
        return i == 1 && parts[0] == "lxc" ? part : null;
    }

    /// <summary>A container's own systemd scope: RUNTIME-ID.scope (libpod-conmon-ID is podman's monitor, not the container).</summary>
    [GeneratedRegex(@"^(?<runtime>docker|libpod|cri-containerd|crio|containerd)-(?<id>[0-9a-f]{12,64})\.scope$")]
    private static partial Regex ScopedContainer();

    /// <summary>kubepods-besteffort-pod0f3c..._..._....slice: the pod uid with '_' for '-' (systemd escapes '-').</summary>
    [GeneratedRegex(@"^kubepods(-[a-z]+)?-pod(?<uid>[0-9a-f_]{32,36})\.slice$")]
    private static partial Regex PodSlice();

    /// <summary>podUID under /kubepods (the cgroupfs driver).</summary>
    [GeneratedRegex(@"^pod(?<uid>[0-9a-f-]{32,36})$")]
    private static partial Regex PodDirectory();

    /// <summary>A full or short container id: 12 to 64 lowercase hex digits.</summary>
    [GeneratedRegex(@"^[0-9a-f]{12,64}$")]
    private static partial Regex ContainerId();
}
