using System.Runtime.ExceptionServices;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Proc;

namespace IpcAudit.Collector.Collection;

/// <summary>
/// Takes one snapshot: /proc text for the object tables, limits and processes, live syscalls for
/// semaphore values, queue capacity and usage. Each step is timed and may fail alone.
/// </summary>
public sealed class SnapshotCollector(ProcRoot proc, IIpcSyscalls syscalls, CollectorOptions options)
{
    public static string Version { get; } =
        typeof(SnapshotCollector).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>For `collect`: the live /proc gets live syscalls; a saved copy gets none (marked unavailable, not faked).</summary>
    public static SnapshotCollector For(CollectorOptions options)
    {
        var proc = new ProcRoot(options.ProcRoot);
        return new SnapshotCollector(proc, proc.IsLive ? new LinuxIpcSyscalls() : new UnavailableIpcSyscalls(), options);
    }

    /// <summary>Process facts for any pids, from the same /proc as the snapshot (the store asks about removed objects' users).</summary>
    public IReadOnlyList<ProcessInfo> ReadProcesses(IReadOnlyCollection<int> pids) => new ProcessInfoReader(proc).ReadWithParents(pids);

    public Snapshot Collect()
    {
        var takenAt = options.At ?? DateTimeOffset.UtcNow;
        takenAt = DateTimeOffset.FromUnixTimeMilliseconds(takenAt.ToUnixTimeMilliseconds());
        var steps = new StepRecorder();
        var notes = new List<string>();

        // Semaphores and queues (their tables and one syscall per semaphore or queue) share nothing
        // with segments and /proc/PID until the processes step, so they run on a second core meanwhile:
        // at 3,000 objects of each kind that saves about 10 ms of ~155 (docs/BENCHMARKS.md).
        var queuesAndSemaphores = new SemAndMsgCollection(this, proc);
        var worker = queuesAndSemaphores.Start();

        var host = steps.Run("host", FallbackHost(), () =>
            new(new HostIdentityReader(proc, MachineIdPath(), options.HostOverride, LoginDefsPath()).Read()));
        var limits = steps.Run("limits", new IpcLimits(), () => new(KernelLimitsFile.Read(proc)));
        var shmList = steps.Run("shm", (IReadOnlyList<ShmSegment>?)null, () => Table(SysvShmFile.Read(proc), "shm"));
        if (!Path.Exists(proc.PathOf("sysvipc")))
            notes.Add($"this kernel has no System V IPC ({proc.PathOf("sysvipc")} missing): empty snapshot");
        IReadOnlyList<ShmSegment> shmBase = shmList ?? [];
        // POSIX objects live in files of this machine, not of a saved /proc copy.
        var posix = proc.IsLive && options.Posix ? PosixCollection.ReadShm(steps, options.DevShmPath) : null;
        var posixQueuesRead = false;
        if (posix is not null) (posix, posixQueuesRead) = PosixCollection.ReadMq(steps, proc, posix);
        var holders = posix is null ? null : PosixCollection.HolderScan(proc, posix);
        var shm = steps.Run("attachments", shmBase, () => ReadAttachments(shmBase, holders));
        if (posix is not null) posix = PosixCollection.WithHolders(posix, holders, steps.Steps[^1].Succeeded);
        var usage = steps.Run("usage", new IpcUsage(), () => FromSyscall(syscalls.ReadUsage(), new IpcUsage()));

        queuesAndSemaphores.Join(worker);
        var (sem, msg) = (queuesAndSemaphores.Sem, queuesAndSemaphores.Msg);
        var facts = steps.Run("processes", ProcessFacts.Unknown, () => ReadProcessFacts(host, shm, sem, msg, posix));
        var names = steps.Run("names", (IReadOnlyList<AccountName>)[], () => ReadAccountNames(shm, sem, msg, facts.Processes));

        return new Snapshot
        {
            Host = host, TakenAt = takenAt, CollectorVersion = Version, Limits = limits, Usage = usage,
            Shm = shm, Sem = sem, Msg = msg, Posix = posix, Processes = facts.Processes, NamespaceOldestStart = facts.NamespaceOldestStart,
            Steps = InCollectionOrder(steps.Steps, queuesAndSemaphores.Steps.Steps), Notes = notes, AccountNames = names,
        };
    }

    /// <summary>What the processes step found; a class, not a tuple, so no generic instantiation is JIT-compiled at start.</summary>
    private sealed record ProcessFacts(IReadOnlyList<ProcessInfo> Processes, DateTimeOffset? NamespaceOldestStart)
    {
        public static readonly ProcessFacts Unknown = new([], null);
    }

    /// <summary>
    /// The processes the objects name, the oldest live process of every uid that owns or created one
    /// (a holder: the kernel keeps no creator for arrays and queues), and the family parent of each.
    /// Liveness is all or nothing: where some live process cannot be identified, the step fails and
    /// nobody is recorded dead.
    /// </summary>
    private StepOutcome<ProcessFacts> ReadProcessFacts(HostIdentity host,
        IReadOnlyList<ShmSegment> shm, IReadOnlyList<SemArray> sem, IReadOnlyList<MsgQueue> msg, PosixIpc? posix)
    {
        // In a child PID namespace the objects' pids (the kernel's, as seen from the IPC namespace's
        // owner) are other processes' or nobody's here: none of them can be called dead.
        if (proc.ReadText("self/status") is { } self && ProcessInfoReader.ParseStatusNsPidLevels(self) > 1)
            return new(ProcessFacts.Unknown, false,
                "the collector runs in a child PID namespace (NSpid in self/status has more than one pid): the pids objects name are not visible here, liveness unknown");
        var reader = new ProcessInfoReader(proc);
        if (reader.BootTime() is not { } bootTime)
            return new(ProcessFacts.Unknown, false, $"{proc.PathOf("stat")} missing: no boot time, liveness unknown");

        var pids = new List<int>(ReferencedPids.Of(shm, sem, msg));
        if (posix is not null) pids.AddRange(posix.ReferencedPids());
        var uids = new List<uint>();
        foreach (var o in shm) { uids.Add(o.Uid); uids.Add(o.Cuid); }
        foreach (var o in sem) { uids.Add(o.Uid); uids.Add(o.Cuid); }
        foreach (var o in msg) { uids.Add(o.Uid); uids.Add(o.Cuid); }
        // The initial namespace never ends, so only another one needs its oldest process (a reused inode);
        // an idle host in the initial namespace skips the pass over /proc altogether.
        var otherNamespace = host.IpcNamespace is { } ns && ns != NsIpcLink.InitialNamespace;
        DateTimeOffset? oldestStart = null;
        if (uids.Count > 0 || otherNamespace)
        {
            var scan = new HolderScanner(proc).Scan();
            // Duplicates are dropped by the reader.
            foreach (var uid in uids)
                if (scan.HolderOf(uid) is { } holder) pids.Add(holder);
            if (otherNamespace && scan.OldestStartTicks is { } ticks) oldestStart = ProcessInfoReader.StartTime(bootTime, ticks);
        }

        var processes = reader.ReadWithParents(pids);
        var unknown = new List<string>();
        foreach (var p in processes)
            if (p.StartUnknown) unknown.Add(p.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return unknown.Count == 0
            ? new(new ProcessFacts(processes, oldestStart))
            : new(new ProcessFacts(processes, oldestStart), false,
                $"{unknown.Count} live processes could not be identified (no readable start time: pid {string.Join(", ", unknown.Take(5))}): liveness unknown");
    }

    /// <summary>User and group names of the ids objects and processes use, from the collected host's passwd and group.</summary>
    private StepOutcome<IReadOnlyList<AccountName>> ReadAccountNames(IReadOnlyList<ShmSegment> shm, IReadOnlyList<SemArray> sem,
        IReadOnlyList<MsgQueue> msg, IReadOnlyList<ProcessInfo> processes)
    {
        var uids = new List<uint>();
        var gids = new List<uint>();
        foreach (var o in shm) { uids.Add(o.Uid); uids.Add(o.Cuid); gids.Add(o.Gid); gids.Add(o.Cgid); }
        foreach (var o in sem) { uids.Add(o.Uid); uids.Add(o.Cuid); gids.Add(o.Gid); gids.Add(o.Cgid); }
        foreach (var o in msg) { uids.Add(o.Uid); uids.Add(o.Cuid); gids.Add(o.Gid); gids.Add(o.Cgid); }
        foreach (var p in processes) if (p.Uid is { } uid) uids.Add(uid);
        var (names, missing, unreadable) = new AccountNamesReader(EtcDirectory()).Read(uids, gids);
        if (unreadable.Count > 0) return new(names, false, $"{string.Join(", ", unreadable)} unreadable: those names unknown");
        return missing.Count == 0 ? new(names) : new(names, true, $"no {string.Join(", ", missing)}: those names unknown");
    }

    /// <summary>Like login.defs: a saved copy's names are those of its host (&lt;root&gt;/etc), never this one's.</summary>
    private string EtcDirectory() => proc.IsLive ? options.EtcDirectory : proc.PathOf("etc");

    /// <summary>The order steps are stored and printed in, whichever thread ran them.</summary>
    private static readonly string[] StepOrder =
        ["host", "limits", "shm", "sem", "msg", "sem-values", "msg-qbytes", PosixCollection.ShmStep, PosixCollection.MqStep, "attachments", "usage", "processes", "names"];

    private static List<CollectionStep> InCollectionOrder(IReadOnlyList<CollectionStep> main, IReadOnlyList<CollectionStep> worker)
    {
        var all = new List<CollectionStep>(main.Count + worker.Count);
        all.AddRange(main);
        all.AddRange(worker);
        all.Sort((a, b) => Array.IndexOf(StepOrder, a.Name).CompareTo(Array.IndexOf(StepOrder, b.Name)));
        return all;
    }

    /// <summary>The sem and msg steps, run on their own thread with their own step recorder.</summary>
    private sealed class SemAndMsgCollection(SnapshotCollector collector, ProcRoot proc)
    {
        private ExceptionDispatchInfo? _failure;

        public StepRecorder Steps { get; } = new();
        public IReadOnlyList<SemArray> Sem { get; private set; } = [];
        public IReadOnlyList<MsgQueue> Msg { get; private set; } = [];

        public Thread Start()
        {
            var thread = new Thread(Run) { Name = "ipcaudit sem/msg", IsBackground = true };
            thread.Start();
            return thread;
        }

        /// <summary>Waits for the thread; an exception it ended with (a malformed /proc file) is rethrown here, as if thrown inline.</summary>
        public void Join(Thread thread)
        {
            thread.Join();
            _failure?.Throw();
        }

        private void Run()
        {
            try
            {
                var semList = Steps.Run("sem", (IReadOnlyList<SemArray>?)null, () => collector.Table(SysvSemFile.Read(proc), "sem"));
                var msgList = Steps.Run("msg", (IReadOnlyList<MsgQueue>?)null, () => collector.Table(SysvMsgFile.Read(proc), "msg"));
                IReadOnlyList<SemArray> semBase = semList ?? [];
                IReadOnlyList<MsgQueue> msgBase = msgList ?? [];
                Sem = Steps.Run("sem-values", semBase, () => collector.ReadSemaphoreValues(semBase));
                Msg = Steps.Run("msg-qbytes", msgBase, () => collector.ReadQueueCapacities(msgBase));
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
        }
    }

    /// <summary>What a step reads, for `collect -v`: paths under this collector's /proc root, or the syscalls it makes.</summary>
    public string SourceOf(string step)
    {
        const string notLive = "nothing: not a live /proc";
        return step switch
        {
            "host" => $"{proc.PathOf("sys/kernel/{hostname,osrelease,random/boot_id}")}, {MachineIdPath()}, {LoginDefsPath()}, {proc.PathOf("self/ns/ipc")}",
            "limits" => proc.PathOf("sys/kernel/{shmmax,shmall,shmmni,shm_rmid_forced,sem,msgmax,msgmnb,msgmni}"),
            "shm" or "sem" or "msg" => proc.PathOf("sysvipc/" + step),
            "sem-values" => proc.IsLive ? "semctl GETALL/GETNCNT/GETZCNT/GETPID per array" : notLive,
            "msg-qbytes" => proc.IsLive ? "msgctl IPC_STAT per queue" : notLive,
            "attachments" => proc.PathOf("[pid]/maps") + (proc.IsLive ? $", {proc.PathOf("[pid]/fd")} (POSIX holders)" : ""),
            PosixCollection.ShmStep => $"{options.DevShmPath} (statx, statfs)",
            PosixCollection.MqStep => $"{proc.PathOf("sys/fs/mqueue/*")}, the mqueue filesystem ({proc.PathOf("self/mounts")}), mq_getattr per queue",
            "usage" => proc.IsLive ? "shmctl SHM_INFO, semctl SEM_INFO, msgctl MSG_INFO" : notLive,
            "names" => $"{Path.Combine(EtcDirectory(), "passwd")}, {Path.Combine(EtcDirectory(), "group")}",
            "processes" => $"{proc.PathOf("[pid]/{stat,status,cmdline,exe,cwd,cgroup}")}, {proc.PathOf("stat")} (btime), {proc.PathOf("[pid]/ns/ipc")} and owner for holders",
            _ => "",
        };
    }

    /// <summary>
    /// A saved /proc copy is another machine's: its machine-id is the one saved beside it
    /// (&lt;root&gt;/etc/machine-id), or unknown — never the machine-id of the host replaying it.
    /// </summary>
    private string MachineIdPath() => proc.IsLive ? options.MachineIdPath : proc.PathOf("etc/machine-id");

    /// <summary>Likewise &lt;root&gt;/etc/login.defs: a saved copy's system uids are its host's, not this one's.</summary>
    private string LoginDefsPath() => proc.IsLive ? options.LoginDefsPath : proc.PathOf("etc/login.defs");

    private HostIdentity FallbackHost() => new()
    {
        Host = options.HostOverride ?? Environment.MachineName, PageSize = Environment.SystemPageSize,
    };

    private StepOutcome<IReadOnlyList<T>?> Table<T>(IReadOnlyList<T>? rows, string name)
    {
        if (rows is not null) return new(rows);
        // No sysvipc at all is a kernel without SysV IPC: an empty, successful snapshot.
        // One file missing beside the others is a failure: keep that kind's history open.
        var sysvipc = proc.PathOf("sysvipc");
        if (Directory.Exists(sysvipc)) return new(null, false, $"{proc.PathOf("sysvipc/" + name)} missing");
        return Path.Exists(sysvipc) ? new(null, false, $"{sysvipc} is not a directory") : new([]);
    }

    private StepOutcome<IReadOnlyList<SemArray>> ReadSemaphoreValues(IReadOnlyList<SemArray> arrays) =>
        PerObject(arrays, "arrays", a => syscalls.ReadSemaphores(a.Id, a.Nsems),
            (a, values) => a with { Semaphores = values }, a => a with { Vanished = true });

    private StepOutcome<IReadOnlyList<MsgQueue>> ReadQueueCapacities(IReadOnlyList<MsgQueue> queues) =>
        PerObject(queues, "queues", q => syscalls.ReadQueueCapacity(q.Id),
            (q, qbytes) => q with { Qbytes = qbytes }, q => q with { Vanished = true });

    /// <summary>One syscall per object: values where the kernel answered, "vanished" where it said gone, unknown otherwise.</summary>
    private static StepOutcome<IReadOnlyList<T>> PerObject<T, TValue>(IReadOnlyList<T> objects, string what,
        Func<T, SyscallResult<TValue>> call, Func<T, TValue, T> withValue, Func<T, T> vanished)
    {
        var tally = new OutcomeTally();
        var result = new T[objects.Count];
        for (var i = 0; i < objects.Count; i++)
        {
            var o = objects[i];
            var r = call(o);
            tally.Count(r.Status);
            result[i] = r.Status switch
            {
                SyscallStatus.Ok => withValue(o, r.Value!),
                SyscallStatus.Gone => vanished(o),
                _ => o,
            };
        }
        return new(result, tally.Succeeded, tally.Note(what));
    }

    /// <summary>The attachments step's note when no segment is attached: skipped as not needed, not failed.</summary>
    public const string SkippedNoAttachments = "skipped, not needed: no segment has attachments (nattch 0 for all)";

    private StepOutcome<IReadOnlyList<ShmSegment>> ReadAttachments(IReadOnlyList<ShmSegment> segments, PosixHolderScan? posix)
    {
        if (segments.Count == 0 && posix is null) return new(segments);
        // Σ nattch = 0: the kernel itself says nobody maps any segment, so every attacher list is
        // known empty without reading every process's maps (~180 ms per 480,000 mapped areas).
        // POSIX objects have no such count: their holders are always looked for.
        if (segments.All(s => s.Nattch == 0) && posix is null)
            return new(segments.Select(s => s with { AttachedPids = [] }).ToList(), true, SkippedNoAttachments);
        var scan = new ShmAttachmentScanner(proc, posix).Scan();
        var result = new ShmSegment[segments.Count];
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var found = scan.PidsByShmid.TryGetValue(s.Id, out var pids) ? pids : [];
            // With some maps unreadable (non-root), a list shorter than nattch is incomplete: unknown, not empty.
            var complete = scan.ProcessesUnreadable == 0 || found.Count >= s.Nattch;
            result[i] = s with { AttachedPids = complete ? found : null };
        }
        var note = scan.ProcessesUnreadable > 0 ? UnreadableMapsNote(scan) : null;
        return new(result, scan.ProcessesUnreadable == 0, note);
    }

    /// <summary>
    /// Names the process that could not be read and why. Root is told why root could not read it (a
    /// sandbox's pid 1 in another user namespace, a ptrace restriction), never to run as root.
    /// </summary>
    private string UnreadableMapsNote(ShmAttachmentScan scan)
    {
        var text = $"{scan.ProcessesUnreadable} of {scan.ProcessesScanned + scan.ProcessesUnreadable} processes' maps unreadable";
        if (scan.FirstUnreadable is { } first)
        {
            var comm = proc.ReadText($"{first.Pid}/comm")?.Trim();
            text += $", e.g. pid {first.Pid}{(string.IsNullOrEmpty(comm) ? "" : $" ({comm})")}: {first.Why}";
        }
        return text + (Environment.IsPrivilegedProcess
            ? "; root cannot read them either (a process in another user namespace, such as a sandbox, or a ptrace restriction): attachments they may hold are unknown"
            : "; run as root for complete attachments");
    }

    private static StepOutcome<T> FromSyscall<T>(SyscallResult<T> r, T fallback) => r.Status == SyscallStatus.Ok
        ? new(r.Value!)
        : new(fallback, false, r.Status == SyscallStatus.Unavailable ? "unavailable: not a live /proc" : $"failed: {r.Status} (errno {r.ErrorNumber})");

    /// <summary>Counts per-object syscall outcomes for a step's note.</summary>
    private sealed class OutcomeTally
    {
        private int _gone, _denied, _unavailable, _failed;

        public void Count(SyscallStatus s)
        {
            switch (s)
            {
                case SyscallStatus.Gone: _gone++; break;
                case SyscallStatus.PermissionDenied: _denied++; break;
                case SyscallStatus.Unavailable: _unavailable++; break;
                case SyscallStatus.Failed: _failed++; break;
            }
        }

        public bool Succeeded => _denied == 0 && _unavailable == 0 && _failed == 0;

        public string? Note(string what)
        {
            var parts = new List<string>();
            if (_unavailable > 0) parts.Add("unavailable: not a live /proc");
            if (_denied > 0) parts.Add($"{_denied} {what} unreadable (permission denied)");
            if (_gone > 0) parts.Add($"{_gone} {what} vanished during collection");
            if (_failed > 0) parts.Add($"{_failed} {what} failed");
            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
    }
}
