using System.Data.Common;

namespace IpcAudit.Store;

/// <summary>
/// The copy's statements (merge and ship), beyond the writer's: source reads scoped to one context after a
/// watermark ($context, $after), and upserts on natural keys. A column added by a migration is copied
/// by adding it to the lists here; state tables follow their schema by themselves.
/// </summary>
internal static class CopySql
{
    public static readonly string[] Kinds = ["shm", "sem", "msg"];

    public const string SourceContexts =
        "SELECT context_id, natural_key, host, machine_id, boot_id, kernel, ipc_namespace, page_size, ns_generation, sys_uid_max FROM contexts";

    public const string SourceLimitSets =
        "SELECT limit_set_id, fingerprint, shmmax, shmall, shmmni, shm_rmid_forced, semmsl, semmns, semopm, semmni, msgmax, msgmnb, msgmni FROM limit_sets";

    public const string SourceSnapshots = """
        SELECT snapshot_id, snapshot_uid, context_id, taken_at, collector_version, schema_version, limit_set_id,
               shm_count, sem_count, msg_count, shm_segments, shm_pages_allocated, shm_pages_resident, shm_pages_swapped,
               sem_arrays, sem_semaphores, msg_queues, msg_messages, msg_bytes, notes, processes_ok
        FROM snapshots WHERE context_id = $context AND taken_at > $after ORDER BY taken_at
        """;

    public const string SourceSteps = "SELECT step, ordinal, duration_us, succeeded, note FROM snapshot_steps WHERE snapshot_id = $id";

    /// <summary>A state changed after the watermark: begun, or ended (closed by a later snapshot), since.</summary>
    private const string StateChanged = "(valid_from > $after OR valid_to > $after)";

    /// <summary>Objects new or removed since the watermark, and those whose states changed (their ids are mapped for the states).</summary>
    public static readonly string SourceObjects = $"""
        SELECT object_id, context_id, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen, removed_at, owner_uid, owner_changed_at FROM objects o
        WHERE context_id = $context AND (first_seen > $after OR removed_at > $after
            OR {string.Join(" OR ", Kinds.Select(k => $"EXISTS (SELECT 1 FROM {k}_states s WHERE s.object_id = o.object_id AND {StateChanged})"))})
        """;

    public static string SourceStates(string kind) => $"""
        SELECT s.* FROM {kind}_states s JOIN objects o ON o.object_id = s.object_id
        WHERE o.context_id = $context AND {StateChanged.Replace("valid_", "s.valid_", StringComparison.Ordinal)}
        """;

    /// <summary>
    /// Spans begun or closed after the watermark, and open ones still missing their start ticks or parent: a
    /// schema-1 row may have learned them since. (Every open span, sent at every ship, cost a host's whole
    /// process list in statements each five minutes.)
    /// </summary>
    public const string SourceProcesses = """
        SELECT context_id, pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
               exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid FROM processes
        WHERE context_id = $context AND (valid_from > $after OR valid_to > $after
            OR (valid_to IS NULL AND (start_ticks IS NULL OR ppid IS NULL OR parent_start_ticks IS NULL)))
        """;

    /// <summary>
    /// The destination's objects of a context still present after the watermark, by natural key: where the
    /// ids of objects the source did not change since (only their states) are found. One read per context,
    /// not an upsert per object: a ship sends a host's busy objects at every snapshot, and rewriting their
    /// rows would leave dead row versions behind.
    /// </summary>
    public const string PresentObjects = """
        SELECT object_id, kind, ipc_id, first_ctime, first_seen FROM objects
        WHERE context_id = $context AND (removed_at IS NULL OR removed_at > $after)
        """;

    public const string UpsertObject = """
        INSERT INTO objects (context_id, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen, removed_at, owner_uid, owner_changed_at)
        VALUES ($context, $kind, $ipc_id, $key, $ctime, $creator, $shape, $first_seen, $removed_at, $owner, $owner_changed)
        ON CONFLICT (context_id, kind, ipc_id, first_ctime, first_seen)
            DO UPDATE SET removed_at = excluded.removed_at, owner_changed_at = excluded.owner_changed_at
        RETURNING object_id
        """;

    /// <summary>
    /// A row copied again keeps what it learned since: its end, and the ticks a schema 1 row was given later.
    /// Every ship sends the host's open spans again; one that learned nothing is left alone, not rewritten:
    /// on PostgreSQL each rewrite is a dead row version, thousands per host and day for vacuum to clear.
    /// </summary>
    public const string UpsertProcess = """
        INSERT INTO processes (context_id, pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
            exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid)
        VALUES ($context, $pid, $start, $from, $to, $comm, $cmdline, $uid, $ticks, $ppid, $parent_ticks,
            $exe, $exe_dev, $exe_ino, $cwd, $cwd_dev, $cwd_ino, $cgroup, $unit, $runtime, $container, $pod)
        ON CONFLICT (context_id, pid, start_time, valid_from) DO UPDATE SET valid_to = excluded.valid_to,
            start_ticks = coalesce(processes.start_ticks, excluded.start_ticks), ppid = coalesce(processes.ppid, excluded.ppid),
            parent_start_ticks = coalesce(processes.parent_start_ticks, excluded.parent_start_ticks)
        WHERE processes.valid_to IS DISTINCT FROM excluded.valid_to
            OR (processes.start_ticks IS NULL AND excluded.start_ticks IS NOT NULL)
            OR (processes.ppid IS NULL AND excluded.ppid IS NOT NULL)
            OR (processes.parent_start_ticks IS NULL AND excluded.parent_start_ticks IS NOT NULL)
        """;

    /// <summary>Schema 6: pids found gone, and account names, after the watermark.</summary>
    public const string SourceGone = "SELECT context_id, pid, seen_at, comm, unit FROM gone_processes WHERE context_id = $context AND seen_at > $after";
    public const string SourceNames = "SELECT context_id, kind, id, valid_from, name FROM account_names WHERE context_id = $context AND valid_from > $after";

    /// <summary>Schema 8: POSIX objects new or removed since the watermark, or whose states changed.</summary>
    public static readonly string SourcePosixObjects = $"""
        SELECT posix_object_id, context_id, kind, name, inode, first_ctime, first_seen, removed_at FROM posix_objects o
        WHERE context_id = $context AND (first_seen > $after OR removed_at > $after
            OR EXISTS (SELECT 1 FROM posix_states s WHERE s.posix_object_id = o.posix_object_id AND {StateChanged}))
        """;

    public const string UpsertPosixObject = """
        INSERT INTO posix_objects (context_id, kind, name, inode, first_ctime, first_seen, removed_at)
        VALUES ($context, $kind, $name, $inode, $ctime, $first_seen, $removed_at)
        ON CONFLICT (context_id, kind, name, inode, first_seen) DO UPDATE SET removed_at = excluded.removed_at
        RETURNING posix_object_id
        """;

    public static readonly string SourcePosixStates = $"""
        SELECT s.* FROM posix_states s JOIN posix_objects o ON o.posix_object_id = s.posix_object_id
        WHERE o.context_id = $context AND {StateChanged.Replace("valid_", "s.valid_", StringComparison.Ordinal)}
        """;

    public const string SourcePosixSnapshot = "SELECT * FROM posix_snapshot WHERE snapshot_id = $id";
    public const string SourceQueueTotals = "SELECT * FROM msg_totals WHERE context_id = $context AND taken_at = $at";

    /// <summary>A state table's upsert, its column list read from the source table itself, so the copy follows the schema.</summary>
    public static string UpsertState(DbConnection source, string kind) => UpsertRows(source, kind + "_states", "object_id, valid_from");

    /// <summary>
    /// An upsert of every column of <paramref name="table"/> as the source has them; a row copied again
    /// only learns its end (valid_to), or, for a table without one, is left as it was.
    /// </summary>
    public static string UpsertRows(DbConnection source, string table, string key)
    {
        using var command = source.CreateCommand();
        command.CommandText = Dialect.ColumnsQuery(source, table);
        using var r = command.ExecuteReader();
        var columns = new List<string>();
        while (r.Read()) columns.Add(r.GetString(0));
        var onConflict = columns.Contains("valid_to")
            ? $"DO UPDATE SET valid_to = excluded.valid_to WHERE {table}.valid_to IS DISTINCT FROM excluded.valid_to"
            : "DO NOTHING";
        return $"""
            INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})
            ON CONFLICT ({key}) {onConflict}
            """;
    }
}
