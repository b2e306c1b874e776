namespace IpcAudit.Store;

/// <summary>
/// Read-side statements: a snapshot "as of" its time is a range lookup on the state tables. SnapshotReader
/// reads their columns by position, in the order written here.
/// </summary>
internal static class ReaderSql
{
    public const string ListSnapshots = """
        SELECT s.snapshot_id, s.snapshot_uid, s.context_id, c.host, c.boot_id, c.ipc_namespace, s.taken_at,
               s.shm_count, s.sem_count, s.msg_count, s.collector_version, c.namespace_label
        FROM snapshots s JOIN contexts c ON c.context_id = s.context_id
        WHERE (CAST($host AS TEXT) IS NULL OR c.host = $host)  -- the cast types the parameter for PostgreSQL
        ORDER BY s.taken_at, s.snapshot_id
        """;

    public const string Hosts = """
        SELECT DISTINCT c.host FROM contexts c
        WHERE EXISTS (SELECT 1 FROM snapshots s WHERE s.context_id = c.context_id)
        ORDER BY c.host
        """;

    public const string SnapshotHeader = """
        SELECT s.snapshot_id, s.snapshot_uid, s.context_id, s.taken_at, s.collector_version, s.notes,
               s.shm_segments, s.shm_pages_allocated, s.shm_pages_resident, s.shm_pages_swapped,
               s.sem_arrays, s.sem_semaphores, s.msg_queues, s.msg_messages, s.msg_bytes,
               c.host, c.machine_id, c.boot_id, c.kernel, c.ipc_namespace, c.page_size,
               l.shmmax, l.shmall, l.shmmni, l.shm_rmid_forced, l.semmsl, l.semmns, l.semopm, l.semmni,
               l.msgmax, l.msgmnb, l.msgmni, c.namespace_label
        FROM snapshots s JOIN contexts c ON c.context_id = s.context_id
        LEFT JOIN limit_sets l ON l.limit_set_id = s.limit_set_id
        WHERE s.snapshot_id = $id
        """;

    public const string Steps = "SELECT step, duration_us, succeeded, note FROM snapshot_steps WHERE snapshot_id = $id ORDER BY ordinal";

    private const string AsOf = """

        WHERE o.context_id = $context AND o.first_seen <= $at AND (o.removed_at IS NULL OR o.removed_at > $at)
          AND s.valid_from <= $at AND (s.valid_to IS NULL OR s.valid_to > $at)
        ORDER BY o.ipc_id
        """;

    public const string ShmAsOf = """
        SELECT o.ipc_id AS id, s.key, s.mode, s.uid, s.gid, s.cuid, s.cgid, s.bytes, s.nattch, s.cpid, s.lpid,
               s.atime, s.dtime, s.ctime, s.rss_bytes, s.swap_bytes, s.attached_pids
        FROM objects o JOIN shm_states s ON s.object_id = o.object_id
        """ + AsOf;

    public const string SemAsOf = """
        SELECT o.ipc_id AS id, s.key, s.mode, s.uid, s.gid, s.cuid, s.cgid, s.nsems, s.otime, s.ctime, s.semaphores, s.vanished
        FROM objects o JOIN sem_states s ON s.object_id = o.object_id
        """ + AsOf;

    public const string MsgAsOf = """
        SELECT o.ipc_id AS id, s.key, s.mode, s.uid, s.gid, s.cuid, s.cgid, s.cbytes, s.qnum, s.qbytes,
               s.lspid, s.lrpid, s.stime, s.rtime, s.ctime, s.vanished
        FROM objects o JOIN msg_states s ON s.object_id = o.object_id
        """ + AsOf;

    public const string ProcessesAsOf = """
        SELECT pid, start_time, comm, cmdline, uid, exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime,
               container_id, pod_uid FROM processes
        WHERE context_id = $context AND valid_from <= $at AND (valid_to IS NULL OR valid_to > $at)
        """;
}
