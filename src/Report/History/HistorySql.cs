namespace IpcAudit.Report.History;

/// <summary>
/// The report's read statements. Every one is a range or key lookup: a window touches only its
/// snapshots, the objects alive in it and the state rows it needs — wide rows only for the few
/// objects a rule has to look at, aggregates or narrow rows for the rest.
/// </summary>
internal static class HistorySql
{
    public const string Contexts = "SELECT context_id, host, boot_id, ipc_namespace, page_size, sys_uid_max, namespace_label FROM contexts ORDER BY context_id";

    public const string LimitSets = """
        SELECT limit_set_id, shmmax, shmall, shmmni, shm_rmid_forced, semmsl, semmns, semopm, semmni, msgmax, msgmnb, msgmni
        FROM limit_sets
        """;

    /// <summary>
    /// One context's snapshots in [$from, $to], with whether the 'processes' step succeeded: when
    /// it did not, liveness is unknown at that snapshot. A missing step row counts as failed.
    /// </summary>
    public const string Snapshots = """
        SELECT s.taken_at, s.limit_set_id,
               coalesce((SELECT st.succeeded FROM snapshot_steps st
                         WHERE st.snapshot_id = s.snapshot_id AND st.step = 'processes'), 0) AS processes_ok,
               s.schema_version
        FROM snapshots s
        WHERE s.context_id = $context AND s.taken_at >= $from AND s.taken_at <= $to
        ORDER BY s.taken_at
        """;

    public const string Processes = """
        SELECT pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
               exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, unit, container_runtime, container_id
        FROM processes WHERE context_id = $context
        """;

    private const string AliveInWindow = "context_id = $context AND first_seen <= $to AND (removed_at IS NULL OR removed_at > $from)";
    private const string StateInWindow = "valid_from <= $to AND (valid_to IS NULL OR valid_to > $from)";

    public const string Objects =
        "SELECT object_id, kind, ipc_id, first_ctime, shape, first_seen, removed_at FROM objects WHERE " + AliveInWindow;

    /// <summary>Per object, the lowest and highest owner uid of its states in the window: equal for nearly all.</summary>
    public static string OwnerRange(string kind) => $"""
        SELECT object_id, min(uid), max(uid) FROM {kind}_states
        WHERE object_id IN (SELECT object_id FROM objects WHERE {AliveInWindow} AND kind = '{kind}') AND {StateInWindow}
        GROUP BY object_id
        """;

    public static string OwnerChanges(string kind) =>
        $"SELECT valid_from, valid_to, uid FROM {kind}_states WHERE object_id = $object AND {StateInWindow} ORDER BY valid_from";

    /// <summary>Queue fill over the window (bytes and messages, both counted against qbytes): the only size that changes from state to state.</summary>
    public const string QueueLevels = $"""
        SELECT s.object_id, s.valid_from, s.valid_to, s.uid, s.cbytes, s.qbytes, s.qnum
        FROM objects o JOIN msg_states s ON s.object_id = o.object_id
        WHERE o.{AliveInWindow} AND o.kind = 'msg' AND s.{StateInWindow}
        """;

    // One object's states from $at back to its first, newest first (the primary key read backwards).
    private const string NewestFirst = " WHERE object_id = $object AND valid_from <= $at ORDER BY valid_from DESC";

    private const string StateColumns = "valid_from, valid_to, key, mode, uid, cuid, ";

    public const string ShmNewestFirst = "SELECT " + StateColumns +
        "bytes, nattch, cpid, lpid, atime, dtime, ctime, attached_pids FROM shm_states" + NewestFirst;

    public const string SemNewestFirst = "SELECT " + StateColumns + "nsems, otime, ctime, semaphores FROM sem_states" + NewestFirst;

    public const string MsgNewestFirst = "SELECT " + StateColumns +
        "cbytes, qnum, qbytes, lspid, lrpid, stime, rtime, ctime FROM msg_states" + NewestFirst;
}
