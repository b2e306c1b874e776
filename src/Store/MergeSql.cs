using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>Statements `merge` needs beyond the writer's: upserts on natural keys.</summary>
internal static class MergeSql
{
    public const string SourceSnapshots = """
        SELECT snapshot_id, snapshot_uid, context_id, taken_at, collector_version, schema_version, limit_set_id,
               shm_count, sem_count, msg_count, shm_segments, shm_pages_allocated, shm_pages_resident, shm_pages_swapped,
               sem_arrays, sem_semaphores, msg_queues, msg_messages, msg_bytes, notes
        FROM snapshots ORDER BY taken_at
        """;

    public const string UpsertObject = """
        INSERT INTO objects (context_id, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen, removed_at)
        VALUES ($context, $kind, $ipc_id, $key, $ctime, $creator, $shape, $first_seen, $removed_at)
        ON CONFLICT (context_id, kind, ipc_id, first_ctime, first_seen) DO UPDATE SET removed_at = excluded.removed_at
        RETURNING object_id
        """;

    public const string SourceProcesses = """
        SELECT context_id, pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
               exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid FROM processes
        """;

    /// <summary>A row merged again keeps what it learned since: its end, and the ticks a schema 1 row was given later.</summary>
    public const string UpsertProcess = """
        INSERT INTO processes (context_id, pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid, parent_start_ticks,
            exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid)
        VALUES ($context, $pid, $start, $from, $to, $comm, $cmdline, $uid, $ticks, $ppid, $parent_ticks,
            $exe, $exe_dev, $exe_ino, $cwd, $cwd_dev, $cwd_ino, $cgroup, $unit, $runtime, $container, $pod)
        ON CONFLICT (context_id, pid, start_time, valid_from) DO UPDATE SET valid_to = excluded.valid_to,
            start_ticks = coalesce(processes.start_ticks, excluded.start_ticks), ppid = coalesce(processes.ppid, excluded.ppid),
            parent_start_ticks = coalesce(processes.parent_start_ticks, excluded.parent_start_ticks)
        """;

    /// <summary>Column list read from the table itself so the copy follows the schema.</summary>
    public static string UpsertState(string kind, SqliteConnection connection, string table) =>
        Upsert(kind + "_states", connection, "object_id, valid_from");

    private static string Upsert(string table, SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
        using var r = command.ExecuteReader();
        var columns = new List<string>();
        while (r.Read()) columns.Add(r.GetString(0));
        return $"""
            INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})
            ON CONFLICT ({key}) DO UPDATE SET valid_to = excluded.valid_to
            """;
    }
}
