namespace IpcAudit.Collector.Proc;

/// <summary>
/// Whether a process's parent counts as its family: a live parent of a past user of an object may
/// still hold that object (Apache's master, a fakeroot session). A parent that adopts orphans or
/// supervises services outlives everything it starts, so its being alive proves nothing: pid 1 of our
/// PID namespace, kthreadd (pid 2) and kernel threads, and the service managers and subreapers below.
/// </summary>
public static class FamilyParent
{
    /// <summary>
    /// By comm (at most 15 bytes, so "containerd-shim-runc-v2" reads "containerd-shim"). Sources:
    /// prctl(2) PR_SET_CHILD_SUBREAPER (orphans are re-parented to the nearest subreaper, else to pid 1);
    /// systemd(1) (pid 1, and `systemd --user` managers, which are subreapers); sysvinit/busybox init,
    /// runit (runit(8), runsvdir(8), runsv(8)), s6 (s6-svscan and s6-supervise, skarnet.org/software/s6),
    /// daemontools (svscan, supervise), OpenRC (openrc-init); container shims and inits that are
    /// subreapers or pid 1 of a container: containerd-shim (runtime v2 shims call SetSubreaper),
    /// conmon (podman's monitor, a subreaper), tini and docker-init (Docker's bundled tini; tini -s),
    /// dumb-init, catatonit (podman --init); supervisord (supervisor's docs: it is the parent of every
    /// program it runs and restarts them).
    /// </summary>
    public static readonly IReadOnlyList<string> ServiceManagers =
    [
        "systemd", "init", "runit", "runsvdir", "runsv", "s6-svscan", "s6-supervise", "svscan", "supervise",
        "openrc-init", "containerd-shim", "conmon", "tini", "docker-init", "dumb-init", "catatonit", "supervisord",
    ];

    /// <summary>pid 0 (parent outside our PID namespace), 1 (init of our namespace) and 2 (kthreadd) never count.</summary>
    public static bool CanBeFamily(int ppid) => ppid > 2;

    /// <summary>False for pid 1 and 2, kernel threads and the <see cref="ServiceManagers"/>.</summary>
    public static bool Counts(int pid, ProcessStat parent) =>
        CanBeFamily(pid) && !parent.IsKernelThread && !IsServiceManager(parent.Comm);

    public static bool IsServiceManager(string comm)
    {
        foreach (var name in ServiceManagers)
            if (comm == name) return true;
        return false;
    }
}
