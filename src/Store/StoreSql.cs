namespace IpcAudit.Store;

/// <summary>The writer's statements. The schema itself lives in schema/*.sql.</summary>
internal static class StoreSql
{
    public const string UpsertContext = """
        INSERT INTO contexts (natural_key, host, machine_id, boot_id, kernel, ipc_namespace, page_size, ns_generation, sys_uid_max)
        VALUES ($key, $host, $machine_id, $boot_id, $kernel, $ns, $page_size, $generation, $sys_uid_max)
        ON CONFLICT (natural_key) DO UPDATE SET kernel = coalesce(contexts.kernel, excluded.kernel),
            sys_uid_max = coalesce(excluded.sys_uid_max, contexts.sys_uid_max)
        RETURNING context_id
        """;

    /// <summary>The latest generation of a host + boot + namespace inode, with its context.</summary>
    public const string LatestGeneration = """
        SELECT context_id, ns_generation FROM contexts
        WHERE host = $host AND machine_id IS $machine_id AND boot_id IS $boot_id AND ipc_namespace IS $ns
        ORDER BY ns_generation DESC LIMIT 1
        """;

    public const string PresentObjects = "SELECT kind, ipc_id, first_ctime FROM objects WHERE context_id = $context AND removed_at IS NULL";

    public const string LatestSnapshotTime = "SELECT max(taken_at) FROM snapshots WHERE context_id = $context";

    public const string UpsertLimitSet = """
        INSERT INTO limit_sets (fingerprint, shmmax, shmall, shmmni, shm_rmid_forced, semmsl, semmns, semopm, semmni, msgmax, msgmnb, msgmni)
        VALUES ($fp, $shmmax, $shmall, $shmmni, $shm_rmid_forced, $semmsl, $semmns, $semopm, $semmni, $msgmax, $msgmnb, $msgmni)
        ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = excluded.fingerprint
        RETURNING limit_set_id
        """;

    public const string InsertSnapshot = """
        INSERT INTO snapshots (snapshot_uid, context_id, taken_at, collector_version, schema_version, limit_set_id,
            shm_count, sem_count, msg_count,
            shm_segments, shm_pages_allocated, shm_pages_resident, shm_pages_swapped,
            sem_arrays, sem_semaphores, msg_queues, msg_messages, msg_bytes, notes, processes_ok)
        VALUES ($uid, $context, $taken_at, $version, $schema, $limits, $shm_count, $sem_count, $msg_count,
            $shm_segments, $shm_alloc, $shm_rss, $shm_swp, $sem_arrays, $sem_sems, $msg_queues, $msg_messages, $msg_bytes, $notes, $processes_ok)
        RETURNING snapshot_id
        """;

    public const string InsertStep = """
        INSERT INTO snapshot_steps (snapshot_id, step, ordinal, duration_us, succeeded, note) VALUES ($snapshot, $step, $ordinal, $us, $ok, $note)
        """;

    /// <summary>
    /// Objects present at the previous snapshot with their current state, for one kind. INDEXED BY:
    /// left to itself SQLite walks every past state of each object by primary key, so collect got
    /// slower as a busy host's history grew (a 90-day history took 862 s to write instead of 209 s).
    /// </summary>
    public static string OpenStates(string kind) => $"""
        SELECT o.object_id, o.ipc_id, o.creator_pid, o.shape, s.valid_from, s.fingerprint, s.key, s.ctime, {LastOperation(kind)}, s.uid
        FROM objects o JOIN {kind}_states s INDEXED BY {kind}_states_open ON s.object_id = o.object_id AND s.valid_to IS NULL
        WHERE o.context_id = $context AND o.kind = '{kind}' AND o.removed_at IS NULL
        """;

    /// <summary>The latest kernel operation time of a state row; NULL when there was none (or no such time for the kind).</summary>
    private static string LastOperation(string kind) => kind switch
    {
        "sem" => "s.otime",
        "msg" => "coalesce(s.stime, s.rtime)",
        _ => "NULL",
    };

    public const string InsertObject = """
        INSERT INTO objects (context_id, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen, owner_uid)
        VALUES ($context, $kind, $ipc_id, $key, $ctime, $creator, $shape, $first_seen, $owner)
        RETURNING object_id
        """;

    public const string RemoveObject = "UPDATE objects SET removed_at = $at WHERE object_id = $object";

    /// <summary>Schema 9: a state whose owner differs from the one before it (IPC_SET).</summary>
    public const string OwnerChanged = "UPDATE objects SET owner_changed_at = $at WHERE object_id = $object";

    public static string CloseState(string kind) =>
        $"UPDATE {kind}_states SET valid_to = $at WHERE object_id = $object AND valid_from = $from";

    public const string InsertShmState = """
        INSERT INTO shm_states (object_id, valid_from, fingerprint, key, mode, uid, gid, cuid, cgid, bytes, nattch,
            cpid, lpid, atime, dtime, ctime, rss_bytes, swap_bytes, attached_pids)
        VALUES ($object, $from, $fp, $key, $mode, $uid, $gid, $cuid, $cgid, $bytes, $nattch,
            $cpid, $lpid, $atime, $dtime, $ctime, $rss, $swap, $attached)
        """;

    public const string InsertSemState = """
        INSERT INTO sem_states (object_id, valid_from, fingerprint, key, mode, uid, gid, cuid, cgid, nsems, otime, ctime, semaphores, vanished)
        VALUES ($object, $from, $fp, $key, $mode, $uid, $gid, $cuid, $cgid, $nsems, $otime, $ctime, $semaphores, $vanished)
        """;

    public const string InsertMsgState = """
        INSERT INTO msg_states (object_id, valid_from, fingerprint, key, mode, uid, gid, cuid, cgid, cbytes, qnum, qbytes,
            lspid, lrpid, stime, rtime, ctime, vanished)
        VALUES ($object, $from, $fp, $key, $mode, $uid, $gid, $cuid, $cgid, $cbytes, $qnum, $qbytes,
            $lspid, $lrpid, $stime, $rtime, $ctime, $vanished)
        """;

    public const string OpenProcesses = """
        SELECT pid, start_time, valid_from, start_ticks FROM processes INDEXED BY processes_open WHERE context_id = $context AND valid_to IS NULL
        """;

    public const string InsertProcess = """
        INSERT INTO processes (context_id, pid, start_time, valid_from, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
            exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid)
        VALUES ($context, $pid, $start, $from, $comm, $cmdline, $uid, $ticks, $ppid, $parent_ticks,
            $exe, $exe_dev, $exe_ino, $cwd, $cwd_dev, $cwd_ino, $cgroup, $unit, $runtime, $container, $pod)
        """;

    /// <summary>Identity and parent for an open row written before schema 2.</summary>
    public const string IdentifyProcess = """
        UPDATE processes SET start_ticks = $ticks, ppid = $ppid, parent_start_ticks = $parent_ticks
        WHERE context_id = $context AND pid = $pid AND start_time = $start AND valid_from = $from
        """;

    public const string CloseProcess = """
        UPDATE processes SET valid_to = $at WHERE context_id = $context AND pid = $pid AND start_time = $start AND valid_from = $from
        """;

    // The last state of an object removed at $at ends at $at: who used it last.
    public const string RemovedShmUsers = "SELECT cpid, lpid, attached_pids FROM shm_states WHERE object_id = $object AND valid_to = $at";
    public const string RemovedSemUsers = "SELECT semaphores FROM sem_states WHERE object_id = $object AND valid_to = $at";
    public const string RemovedMsgUsers = "SELECT lspid, lrpid FROM msg_states WHERE object_id = $object AND valid_to = $at";
}
