using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Proc;

namespace IpcAudit.Collector.Collection;

/// <summary>
/// One collect of several IPC namespaces: finds the namespaces processes are in, collects the
/// collector's own on the calling thread and each other one on a thread of its own that entered it
/// (setns is per thread; /proc/sysvipc, the IPC sysctls and the *_INFO calls answer for the calling
/// thread's namespace), and labels each. Every snapshot carries the same time.
/// </summary>
public sealed class NamespaceCollector(CollectorOptions options, NamespaceSelection selection, Action<ulong>? beforeEntry = null)
{
    public const string Step = "namespaces";

    public IReadOnlyList<Snapshot> Collect()
    {
        var at = options.At ?? DateTimeOffset.UtcNow;
        var timed = options with { At = at };
        var proc = new ProcRoot(options.ProcRoot);
        var self = NsIpcLink.Read(proc);
        // A saved /proc cannot be entered, and a selection of only our own needs no pass over /proc as root.
        var discover = proc.IsLive && (selection.All || selection.Inodes.Count > 0 || selection.IsDefault && !Environment.IsPrivilegedProcess);
        if (!discover)
        {
            var only = SnapshotCollector.For(timed).Collect();
            return [proc.IsLive && self is { } s ? only with { Namespace = SelfLabel(proc, s, null, only.Host.Host) } : only];
        }

        var clock = Stopwatch.StartNew();
        var found = new IpcNamespaceScanner(proc).Scan();
        var notes = new List<string>();
        var failed = false;
        var others = found.Namespaces.Where(n => n.Inode != self).ToList();
        var snapshots = new List<Snapshot>();
        var scanTime = clock.Elapsed;

        if (!Environment.IsPrivilegedProcess && !selection.All && selection.Inodes.Count == 0)
        {
            // Only this user's processes show their namespace links (ptrace rules), so what is counted is
            // this user's containers (rootless podman, say); other users' are not even seen.
            if (others.Count > 0)
                notes.Add($"{others.Count} other IPC namespaces in use by this user's processes (others' cannot be seen): only this collector's IPC namespace is collected; entering others needs root (`--namespaces all` as root)");
            others.Clear();
        }
        foreach (var missing in selection.Inodes.Where(i => i != self && found.Namespaces.All(n => n.Inode != i)).Order())
            notes.Add($"IPC namespace {missing} is not in use by any process: not collected");

        Snapshot? own = null;
        if (self is { } selfInode && selection.Includes(selfInode, self))
        {
            own = SnapshotCollector.For(timed).Collect();
            var members = found.Namespaces.FirstOrDefault(n => n.Inode == selfInode)?.PidsOldestFirst ?? [];
            own = own with { Namespace = SelfLabel(proc, selfInode, members, own.Host.Host) };
            snapshots.Add(own);
        }

        var namespaceTime = TimeSpan.Zero;
        foreach (var ns in others.Where(n => selection.Includes(n.Inode, self)))
        {
            beforeEntry?.Invoke(ns.Inode);
            var entered = Stopwatch.StartNew();
            var result = CollectInside(proc, timed, ns, own?.Host.Host);
            namespaceTime += entered.Elapsed;
            if (result.Snapshot is { } snapshot) snapshots.Add(snapshot);
            if (result.Note is { } note) notes.Add(note);
            failed |= result.Failed;
        }

        var step = new CollectionStep(Step, scanTime, !failed,
            $"{found.Namespaces.Count} IPC namespaces in use, {snapshots.Count} collected" + (notes.Count > 0 ? "; " + string.Join("; ", notes) : ""));
        if (snapshots.Count == 0)
            throw new IpcAuditException($"--namespaces: nothing collected ({string.Join("; ", notes)}); in use: {string.Join(", ", found.Namespaces.Select(n => n.Inode))}",
                ExitCodes.BadInput);
        // The step goes with the first snapshot (our own when it is collected): one place says what the pass found.
        snapshots[0] = snapshots[0] with { Steps = [.. snapshots[0].Steps, step], Notes = [.. snapshots[0].Notes, .. notes] };
        return snapshots;
    }

    private sealed record Inside(Snapshot? Snapshot, string? Note, bool Failed);

    /// <summary>
    /// Collects <paramref name="ns"/> on a new thread that joins it through the first of its processes still
    /// in it. A namespace whose processes are all gone is ended (the kernel freed it and its objects): gone,
    /// not a failure. One that cannot be entered (EPERM) is a failure of this namespace only.
    /// </summary>
    private static Inside CollectInside(ProcRoot proc, CollectorOptions options, IpcNamespaceMembers ns, string? hostName)
    {
        Inside? result = null;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { result = EnterAndCollect(proc, options, ns, hostName); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        })
        { Name = $"ipcaudit ipc:{ns.Inode}", IsBackground = true };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }

    private static Inside EnterAndCollect(ProcRoot proc, CollectorOptions options, IpcNamespaceMembers ns, string? hostName)
    {
        var inode = ns.Inode.ToString(CultureInfo.InvariantCulture);
        int? denied = null;
        foreach (var pid in ns.PidsOldestFirst)
        {
            var link = proc.PathOf($"{pid.ToString(CultureInfo.InvariantCulture)}/ns/");
            var errno = NamespaceEntry.Enter(link + "ipc", NamespaceEntry.CloneNewIpc);
            if (errno is Errno.EPERM or Errno.EACCES) { denied = errno; continue; }
            if (errno != 0) continue;
            // The pid may have been reused by a process of another namespace since the pass: check where we are.
            if (NsIpcLink.Read(proc) != ns.Inode) continue;

            var snapshot = SnapshotCollector.For(options with { Posix = false }).Collect();
            // The UTS namespace last: the snapshot's host name is the host's, the label's is the container's.
            var uts = NamespaceEntry.Enter(link + "uts", NamespaceEntry.CloneNewUts) == 0 ? NamespaceEntry.HostName() : null;
            var label = NamespaceLabeler.Label(proc, ns.Inode, ns.PidsOldestFirst, uts, hostName ?? snapshot.Host.Host);
            if (hostName is not null) snapshot = snapshot with { Host = snapshot.Host with { Host = hostName } };
            return new Inside(snapshot with { Namespace = label }, null, false);
        }
        return denied is { } e
            ? new Inside(null, $"IPC namespace {inode} cannot be entered ({(e == Errno.EPERM ? "EPERM" : "EACCES")}: entering needs CAP_SYS_ADMIN over it): not collected", true)
            : new Inside(null, $"IPC namespace {inode} gone: its last process exited during collection (the kernel freed it and its objects)", false);
    }

    private static NamespaceLabel SelfLabel(ProcRoot proc, ulong inode, IReadOnlyList<int>? members, string hostName) =>
        inode == NsIpcLink.InitialNamespace
            ? new NamespaceLabel(NamespaceLabel.Host)
            : NamespaceLabeler.Label(proc, inode, members ?? Members(proc, inode), NamespaceEntry.HostName(), hostName);

    private static IReadOnlyList<int> Members(ProcRoot proc, ulong inode) =>
        new IpcNamespaceScanner(proc).Scan().Namespaces.FirstOrDefault(n => n.Inode == inode)?.PidsOldestFirst ?? [];
}
