using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Proc;

namespace IpcAudit.Collector.Collection;

/// <summary>
/// The POSIX steps of a live snapshot: "posix-shm" lists /dev/shm (objects and the tmpfs size),
/// "posix-mq" lists the mqueue filesystem (mounted privately for the collector when the host has not
/// mounted it) and reads /proc/sys/fs/mqueue. Holders are filled in by the attachment pass.
/// </summary>
internal static class PosixCollection
{
    public const string ShmStep = "posix-shm", MqStep = "posix-mq";

    public static PosixIpc ReadShm(StepRecorder steps, string devShm) =>
        steps.Run(ShmStep, PosixIpc.Empty, () =>
        {
            if (DevShmDirectory.Read(devShm) is not { } found)
                return new(PosixIpc.Empty, true, $"{devShm} missing: no POSIX shared memory");
            var drive = new DriveInfo(devShm);
            return new(new PosixIpc
            {
                Shm = found.Shm, Sem = found.Sem,
                DevshmBytes = drive.TotalSize, DevshmUsedBytes = drive.TotalSize - drive.TotalFreeSpace,
            });
        });

    /// <summary>Queues and the mqueue limits; <paramref name="into"/> keeps what the shm step found.</summary>
    public static (PosixIpc Posix, bool Succeeded) ReadMq(StepRecorder steps, ProcRoot proc, PosixIpc into)
    {
        var ok = false;
        var result = steps.Run(MqStep, MqueueLimitsFile.Read(proc, into), () =>
        {
            var withLimits = MqueueLimitsFile.Read(proc, into);
            var mounted = MqueueDirectory.MountPoint(proc);
            var queues = mounted is not null
                ? MqueueDirectory.Read(mounted, withAttributes: true)
                : PrivateMqueueMount.Run(dir => MqueueDirectory.Read(dir, withAttributes: true));
            ok = true;
            var unreadable = queues.Count(q => q.Messages is null);
            var notes = new List<string>();
            if (mounted is null) notes.Add("mqueue not mounted: read through a private mount of the collector's own");
            if (unreadable > 0) notes.Add($"{unreadable} queues could not be opened read-only (mq_getattr): messages unknown");
            // The listing is complete either way: a queue whose attributes could not be read keeps its history, with messages unknown.
            return new(withLimits with { Mq = queues, MqQueues = queues.Count }, true, notes.Count == 0 ? null : string.Join("; ", notes));
        });
        return (result, ok);
    }

    /// <summary>The holder pass for these objects, or null when there is nothing to look for.</summary>
    public static PosixHolderScan? HolderScan(ProcRoot proc, PosixIpc posix)
    {
        var known = new HashSet<(ulong, ulong)>();
        foreach (var o in posix.Shm) known.Add((o.Device, o.Inode));
        foreach (var o in posix.Sem) known.Add((o.Device, o.Inode));
        foreach (var q in posix.Mq) known.Add((q.Device, q.Inode));
        // With no POSIX object at all the idle collect keeps skipping the pass over /proc; a file unlinked
        // while mapped is then not seen (it is in use by definition, and freed when unmapped).
        if (known.Count == 0) return null;
        ulong? mqDevice = posix.Mq.Count > 0 ? posix.Mq[0].Device : null;
        return new PosixHolderScan(proc, known, mqDevice);
    }

    /// <summary>Every object with its mappers and openers; deleted files still mapped are added as objects.</summary>
    public static PosixIpc WithHolders(PosixIpc posix, PosixHolderScan? scan, bool complete)
    {
        if (scan is null) return posix;
        PosixShmObject Fill(PosixShmObject o) => o with
        {
            MappedPids = complete ? scan.MappersOf(o.Device, o.Inode) : NullIfEmpty(scan.MappersOf(o.Device, o.Inode)),
            OpenPids = complete ? scan.OpenersOf(o.Device, o.Inode) : NullIfEmpty(scan.OpenersOf(o.Device, o.Inode)),
        };
        var deleted = new List<PosixShmObject>();
        foreach (var ((device, inode), (name, mapFile)) in scan.Deleted)
        {
            var isSem = name.StartsWith("sem.", StringComparison.Ordinal);
            // map_files needs root (CAP_SYS_ADMIN); without its stat the owner and size are unknown, so it is left out.
            if (FileStatus.Of(mapFile, follow: true) is not { } st) continue;
            var o = DevShmDirectory.FromStatus(isSem ? name[4..] : name, isSem, st);
            deleted.Add(Fill(o with { Device = device, Inode = inode, Deleted = true }));
        }
        return posix with
        {
            Shm = [.. posix.Shm.Select(Fill), .. deleted.Where(d => !d.IsSemaphore)],
            Sem = [.. posix.Sem.Select(Fill), .. deleted.Where(d => d.IsSemaphore)],
            Mq = [.. posix.Mq.Select(q => q with
            {
                OpenPids = complete ? scan.OpenersOf(q.Device, q.Inode) : NullIfEmpty(scan.OpenersOf(q.Device, q.Inode)),
            })],
        };
    }

    /// <summary>With some processes unreadable, a holder found proves use; none found proves nothing.</summary>
    private static IReadOnlyList<int>? NullIfEmpty(IReadOnlyList<int> pids) => pids.Count == 0 ? null : pids;
}
