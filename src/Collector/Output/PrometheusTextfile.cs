using System.Globalization;
using System.Text;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>Orphans of one kind ("shm", "sem", "msg") by the report's rules: how many, and the bytes they hold.</summary>
public sealed record OrphanTotal(string Kind, long Count, ulong Bytes);

/// <summary>`collect --ship-to`: snapshots the server has not acknowledged, and when a ship last succeeded (null: never).</summary>
public sealed record ShipStatus(long Backlog, DateTimeOffset? LastSuccess);

/// <summary>
/// `collect --textfile DIR`: DIR/ipcaudit.prom for node_exporter's textfile collector, in the text
/// exposition format. Every family is a gauge with HELP and TYPE; a value that was not read (a failed
/// step, a saved /proc without live syscalls) is left out rather than written as 0 or NaN.
/// </summary>
public static class PrometheusTextfile
{
    public const string FileName = "ipcaudit.prom";

    /// <summary>Kernel limits in `lsipc -g` naming, in the order the exposition lists them.</summary>
    public static IReadOnlyList<(string Name, ulong? Value)> Limits(IpcLimits l) =>
    [
        ("SHMMNI", l.Shmmni), ("SHMALL", l.Shmall), ("SHMMAX", l.Shmmax),
        ("SEMMNI", l.Semmni), ("SEMMNS", l.Semmns), ("SEMMSL", l.Semmsl), ("SEMOPM", l.Semopm),
        ("MSGMNI", l.Msgmni), ("MSGMNB", l.Msgmnb), ("MSGMAX", l.Msgmax),
    ];

    /// <param name="steps">The snapshot's steps plus the command's own (store, orphans).</param>
    /// <param name="orphans">Null when orphans were not computed: the orphan families are left out.</param>
    /// <param name="ship">Null when this collector does not ship: the ship families are left out.</param>
    public static void Write(TextWriter w, Snapshot s, IEnumerable<CollectionStep> steps, IReadOnlyList<OrphanTotal>? orphans, ShipStatus? ship = null)
    {
        var f = new PrometheusFamilies(w);
        f.Gauge("ipcaudit_build_info", "Version of the ipcaudit collector that wrote this file (value is always 1).",
            [new PrometheusFamilies.Sample(Label("version", s.CollectorVersion), 1d)]);

        if (s.StepSucceeded("shm"))
        {
            var pageSize = (ulong)Math.Max(1, s.Host.PageSize);
            f.Gauge("ipcaudit_shm_segments", "System V shared memory segments (ipcs -m).", [new(null, s.Shm.Count)]);
            f.Gauge("ipcaudit_shm_bytes", "Size of all System V shared memory segments, in bytes.",
                [new(null, Sum(s.Shm.Select(m => m.Bytes)))]);
            // The kernel's shm_tot (SHM_INFO, `ipcs -u` "pages allocated"): each segment rounded up to whole pages.
            f.Gauge("ipcaudit_shm_pages_allocated", "Pages allocated to System V shared memory segments (ipcs -u), in pages of ipcaudit_page_size_bytes.",
                [new(null, Sum(s.Shm.Select(m => (m.Bytes + pageSize - 1) / pageSize)))]);
        }
        f.Gauge("ipcaudit_page_size_bytes", "Page size of the host, in bytes (SHMALL and shm pages are counted in it).", [new(null, s.Host.PageSize)]);
        if (s.Usage.ShmPagesResident is { } resident)
            f.Gauge("ipcaudit_shm_pages_resident", "Resident pages of System V shared memory (SHM_INFO, ipcs -u).", [new(null, resident)]);
        if (s.Usage.ShmPagesSwapped is { } swapped)
            f.Gauge("ipcaudit_shm_pages_swapped", "Swapped pages of System V shared memory (SHM_INFO, ipcs -u).", [new(null, swapped)]);

        if (s.StepSucceeded("sem"))
        {
            f.Gauge("ipcaudit_sem_arrays", "System V semaphore arrays (ipcs -s).", [new(null, s.Sem.Count)]);
            f.Gauge("ipcaudit_sem_semaphores", "Semaphores in all System V semaphore arrays.", [new(null, s.Sem.Sum(a => (double)a.Nsems))]);
        }
        if (s.StepSucceeded("msg"))
        {
            f.Gauge("ipcaudit_msg_queues", "System V message queues (ipcs -q).", [new(null, s.Msg.Count)]);
            f.Gauge("ipcaudit_msg_messages", "Messages waiting in all System V message queues.", [new(null, Sum(s.Msg.Select(q => q.Qnum)))]);
            f.Gauge("ipcaudit_msg_bytes", "Bytes waiting in all System V message queues.", [new(null, Sum(s.Msg.Select(q => q.Cbytes)))]);
        }

        if (s.Posix is { } p)
        {
            // POSIX IPC: per kind, objects and the /dev/shm memory they hold (allocated bytes; bytes queued for queues).
            var kinds = new List<(string Kind, double Count, double? Bytes)>();
            if (s.StepSucceeded("posix-shm"))
                kinds.AddRange([(PosixKinds.Shm, p.Shm.Count, p.Shm.Sum(o => (double)o.AllocatedBytes)), (PosixKinds.Sem, p.Sem.Count, p.Sem.Sum(o => (double)o.AllocatedBytes))]);
            // A queue whose file was unreadable has unknown bytes: the sum is then left out, not undercounted.
            if (s.StepSucceeded("posix-mq")) kinds.Add((PosixKinds.Mq, p.Mq.Count, p.Mq.Any(q => q.QsizeBytes is null) ? null : p.Mq.Sum(q => (double)q.QsizeBytes!.Value)));
            f.Gauge("ipcaudit_posix_objects", "POSIX IPC objects: /dev/shm files (posix_shm), named semaphores (posix_sem), message queues (posix_mq).",
                kinds.Select(k => new PrometheusFamilies.Sample(Label("kind", k.Kind), k.Count)));
            f.Gauge("ipcaudit_posix_bytes", "Bytes POSIX IPC objects hold: allocated in /dev/shm, or queued in message queues.",
                kinds.Where(k => k.Bytes is not null).Select(k => new PrometheusFamilies.Sample(Label("kind", k.Kind), k.Bytes!.Value)));
            if (p.DevshmBytes is { } size) f.Gauge("ipcaudit_devshm_size_bytes", "Size of the /dev/shm tmpfs, in bytes.", [new(null, size)]);
            if (p.DevshmUsedBytes is { } used) f.Gauge("ipcaudit_devshm_used_bytes", "Bytes in use in the /dev/shm tmpfs.", [new(null, used)]);
            if (p.MqQueues is { } queues) f.Gauge("ipcaudit_mq_queues", "POSIX message queues in the collector's IPC namespace.", [new(null, queues)]);
            if (p.MqQueuesMax is { } max) f.Gauge("ipcaudit_mq_queues_max", "fs.mqueue.queues_max: POSIX message queues allowed.", [new(null, max)]);
        }

        f.Gauge("ipcaudit_limit", "Kernel System V IPC limit, named as lsipc -g names it (SHMALL in pages; SHMMAX, MSGMAX, MSGMNB in bytes; the rest are counts).",
            Limits(s.Limits).Where(l => l.Value is not null).Select(l => new PrometheusFamilies.Sample(Label("name", l.Name), (double)l.Value!.Value)));

        if (orphans is not null)
        {
            f.Gauge("ipcaudit_orphans", "IPC objects that nobody alive uses, by the report's orphan rules over the stored history.",
                orphans.Select(o => new PrometheusFamilies.Sample(Label("kind", o.Kind), (double)o.Count)));
            f.Gauge("ipcaudit_orphan_bytes", "Bytes held by orphaned IPC objects (shm: segment size; msg: bytes queued; sem: 0).",
                orphans.Select(o => new PrometheusFamilies.Sample(Label("kind", o.Kind), (double)o.Bytes)));
        }

        var all = steps.ToList();
        f.Gauge("ipcaudit_collector_step_duration_seconds", "How long each step of the last collection took.",
            all.Select(st => new PrometheusFamilies.Sample(Label("step", st.Name), Math.Round(st.Duration.TotalSeconds, 6))));
        f.Gauge("ipcaudit_collector_step_success", "Whether each step of the last collection succeeded (1) or is incomplete (0).",
            all.Select(st => new PrometheusFamilies.Sample(Label("step", st.Name), st.Succeeded ? 1d : 0d)));
        f.Gauge("ipcaudit_collector_last_success_timestamp_seconds", "When the last snapshot was stored, in seconds since the Unix epoch. Alert when it gets old.",
            [new(null, s.TakenAt.ToUnixTimeMilliseconds() / 1000d)]);
        if (ship is not null)
        {
            f.Gauge("ipcaudit_ship_backlog_snapshots", "Local snapshots the central server has not acknowledged yet (collect --ship-to).",
                [new(null, ship.Backlog)]);
            if (ship.LastSuccess is { } at)
                f.Gauge("ipcaudit_ship_last_success_timestamp_seconds", "When a ship to the central server last succeeded, in seconds since the Unix epoch.",
                    [new(null, at.ToUnixTimeMilliseconds() / 1000d)]);
        }
    }

    /// <summary>
    /// Writes DIR/ipcaudit.prom through a temp file in DIR and a rename, so a scrape never sees half a
    /// file; the temp name does not end in .prom, so node_exporter never reads it. Returns the path.
    /// </summary>
    public static string WriteAtomically(string directory, Action<TextWriter> write)
    {
        if (!Directory.Exists(directory))
            throw new IpcAuditException($"--textfile: {directory}: no such directory (the snapshot itself was stored)", ExitCodes.Failure);
        var target = Path.Combine(directory, FileName);
        try
        {
            // node_exporter runs as another user; a service's UMask=0077 must not hide the file from it.
            AtomicFile.Write(target, write,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IpcAuditException($"--textfile: cannot write {target}: {e.Message} (the snapshot itself was stored)", ExitCodes.Failure, e);
        }
    }

    /// <summary>
    /// A sample value as the exposition format takes it (a Go float64): integers up to 2^53 exactly,
    /// larger ones such as SHMALL's 18446744073692774399 as the nearest float64, 1.8446744073692774e+19.
    /// </summary>
    public static string FormatValue(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "+Inf" : "-Inf";
        if (Math.Abs(v) <= 9007199254740992d && v == Math.Floor(v)) return ((long)v).ToString(CultureInfo.InvariantCulture);
        return v.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    private static double Sum(IEnumerable<ulong> values) => values.Aggregate(0d, (total, v) => total + v);

    private static string Label(string name, string value) => PrometheusFamilies.Label(name, value);
}
