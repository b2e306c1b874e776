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
    /// One context's snapshots in [$from, $to], with whether the 'processes' step succeeded (schema 11
    /// keeps it on the snapshot): when it did not, liveness is unknown at that snapshot.
    /// </summary>
    public const string Snapshots = """
        SELECT taken_at, limit_set_id, processes_ok, schema_version FROM snapshots
        WHERE context_id = $context AND taken_at >= $from AND taken_at <= $to
        ORDER BY taken_at
        """;

    public const string Processes = """
        SELECT pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
               exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, unit, container_runtime, container_id
        FROM processes WHERE context_id = $context
        """;

    private const string AliveInWindow = "context_id = $context AND first_seen <= $to AND (removed_at IS NULL OR removed_at > $from)";
    private const string StateInWindow = "valid_from <= $to AND (valid_to IS NULL OR valid_to > $from)";

    public const string Objects =
        "SELECT object_id, kind, ipc_id, first_ctime, shape, first_seen, removed_at, owner_uid, owner_changed_at FROM objects WHERE " + AliveInWindow;

    /// <summary>The owners of an object whose owner changed (schema 9's owner_changed_at): its states in the window, three narrow columns.</summary>
    public static string OwnerChanges(string kind) =>
        $"SELECT valid_from, valid_to, uid FROM {kind}_states WHERE object_id = $object AND {StateInWindow} ORDER BY valid_from";

    /// <summary>
    /// Each snapshot's queues per owner (schema 10): the queue series without a state per queue per snapshot,
    /// which on a busy host is nearly every msg_states row. In time order, the primary key's (free on both
    /// engines), so the series steps through its snapshots instead of searching for each row's.
    /// </summary>
    public const string QueueTotals = """
        SELECT taken_at, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity
        FROM msg_totals WHERE context_id = $context AND taken_at >= $from AND taken_at <= $to
        ORDER BY taken_at, uid
        """;

    // One object's states from $at back to its first, newest first (the primary key read backwards).
    private const string NewestFirst = " WHERE object_id = $object AND valid_from <= $at ORDER BY valid_from DESC";

    private const string StateColumns = "valid_from, valid_to, key, mode, uid, cuid, ";

    public const string ShmColumns = StateColumns + "bytes, nattch, cpid, lpid, atime, dtime, ctime, attached_pids";
    public const string SemColumns = StateColumns + "nsems, otime, ctime, semaphores";
    public const string MsgColumns = StateColumns + "cbytes, qnum, qbytes, lspid, lrpid, stime, rtime, ctime";

    public static string NewestFirstOf(string kind, string columns) => $"SELECT {columns} FROM {kind}_states{NewestFirst}";

    /// <summary>
    /// For every object of a kind in a context present at $at, the state it held then (its newest begun
    /// by $at), object id last: one statement for a context's objects where one per object cost a round
    /// trip each on a server. SQLite: two key lookups per object (the max over the primary key, then the
    /// row); PostgreSQL (<paramref name="server"/>): one backward index scan per object (LATERAL), about half
    /// the server's time of the two lookups.
    /// </summary>
    public static string StatesAt(string kind, string columns, bool server) => $"""
        SELECT {Prefixed(columns)}, s.object_id FROM objects o {NewestBy(kind, "$at", server)}
        WHERE o.context_id = $context AND o.kind = '{kind}' AND o.first_seen <= $at AND (o.removed_at IS NULL OR o.removed_at > $at)
        """;

    /// <summary>Every object of a kind removed in ($from, $to] with its last state (the one its removal closed), then the object id and removal time.</summary>
    public static string LastStates(string kind, string columns, bool server) => $"""
        SELECT {Prefixed(columns)}, s.object_id, o.removed_at FROM objects o {NewestBy(kind, "o.removed_at", server)}
        WHERE o.context_id = $context AND o.kind = '{kind}' AND o.removed_at > $from AND o.removed_at <= $to
        """;

    /// <summary>Joins each object o to s, its newest state begun by <paramref name="at"/>.</summary>
    private static string NewestBy(string kind, string at, bool server) => server
        ? $"CROSS JOIN LATERAL (SELECT * FROM {kind}_states m WHERE m.object_id = o.object_id AND m.valid_from <= {at} ORDER BY m.valid_from DESC LIMIT 1) s"
        : $"""
          JOIN {kind}_states s ON s.object_id = o.object_id
           AND s.valid_from = (SELECT max(m.valid_from) FROM {kind}_states m WHERE m.object_id = o.object_id AND m.valid_from <= {at})
          """;

    /// <summary>
    /// PostgreSQL only: up to $depth newest states at or before $at of each object in $ids (a comma-separated
    /// list, so no array type is bound), object id last, each object's newest first: one statement for the
    /// quiet objects a rule goes back through, each an index scan backwards that stops at $depth.
    /// </summary>
    public static string NewestFirstOfMany(string kind, string columns) => $"""
        SELECT {Prefixed(columns)}, i.id FROM unnest(string_to_array($ids, ',')::bigint[]) AS i(id)
        CROSS JOIN LATERAL (SELECT * FROM {kind}_states WHERE object_id = i.id AND valid_from <= $at
                            ORDER BY valid_from DESC LIMIT $depth) s
        ORDER BY i.id, s.valid_from DESC
        """;

    private static string Prefixed(string columns) => string.Join(", ", columns.Split(", ").Select(c => "s." + c));
}
