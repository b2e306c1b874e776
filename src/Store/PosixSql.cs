namespace IpcAudit.Store;

/// <summary>The statements of the POSIX tables (schema 8).</summary>
internal static class PosixSql
{
    public const string OpenStates = """
        SELECT o.posix_object_id, o.name, o.inode, s.valid_from, s.fingerprint
        FROM posix_objects o JOIN posix_states s INDEXED BY posix_states_open ON s.posix_object_id = o.posix_object_id AND s.valid_to IS NULL
        WHERE o.context_id = $context AND o.kind = $kind AND o.removed_at IS NULL
        """;

    public const string InsertObject = """
        INSERT INTO posix_objects (context_id, kind, name, inode, first_ctime, first_seen)
        VALUES ($context, $kind, $name, $inode, $ctime, $first_seen)
        RETURNING posix_object_id
        """;

    public const string InsertState = """
        INSERT INTO posix_states (posix_object_id, valid_from, fingerprint, uid, gid, mode, bytes, allocated_bytes, mtime, ctime,
            value, deleted, messages, max_messages, message_size, notify_pid, mapped_pids, open_pids)
        VALUES ($object, $from, $fp, $uid, $gid, $mode, $bytes, $allocated, $mtime, $ctime,
            $value, $deleted, $messages, $max_messages, $message_size, $notify_pid, $mapped, $open)
        """;

    public const string CloseState = "UPDATE posix_states SET valid_to = $at WHERE posix_object_id = $object AND valid_from = $from";

    public const string RemoveObject = "UPDATE posix_objects SET removed_at = $at WHERE posix_object_id = $object";

    public const string InsertSnapshot = """
        INSERT INTO posix_snapshot (snapshot_id, shm_count, sem_count, mq_count, devshm_bytes, devshm_used_bytes,
            mq_queues, mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default)
        VALUES ($snapshot, $shm, $sem, $mq, $devshm, $devshm_used, $queues, $queues_max, $msg_max, $msgsize_max, $msg_default, $msgsize_default)
        """;

    /// <summary>`show`: the snapshot's POSIX row (NULL counts where a step failed).</summary>
    public const string SnapshotRow = """
        SELECT devshm_bytes, devshm_used_bytes, mq_queues, mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default
        FROM posix_snapshot WHERE snapshot_id = $snapshot
        """;

    /// <summary>`show`: every POSIX object of the context as of the snapshot's time (PosixReader puts them in the collector's order).</summary>
    public const string ObjectsAsOf = """
        SELECT o.kind, o.name, o.inode, s.uid, s.gid, s.mode, s.bytes, s.allocated_bytes, s.mtime, s.ctime, s.value,
               s.deleted, s.messages, s.max_messages, s.message_size, s.notify_pid, s.mapped_pids, s.open_pids
        FROM posix_objects o JOIN posix_states s ON s.posix_object_id = o.posix_object_id
        WHERE o.context_id = $context AND o.first_seen <= $at AND (o.removed_at IS NULL OR o.removed_at > $at)
          AND s.valid_from <= $at AND (s.valid_to IS NULL OR s.valid_to > $at)
        """;

    /// <summary>`show --object`: the object of that kind and name present at the snapshot, each of its states up to it (columns as ObjectsAsOf, then its span and life).</summary>
    public const string ObjectHistory = """
        SELECT o.kind, o.name, o.inode, s.uid, s.gid, s.mode, s.bytes, s.allocated_bytes, s.mtime, s.ctime, s.value,
               s.deleted, s.messages, s.max_messages, s.message_size, s.notify_pid, s.mapped_pids, s.open_pids,
               s.valid_from, s.valid_to, o.first_seen, o.removed_at, o.posix_object_id
        FROM posix_objects o JOIN posix_states s ON s.posix_object_id = o.posix_object_id
        WHERE o.context_id = $context AND o.kind = $kind AND o.name = $name
          AND o.first_seen <= $at AND (o.removed_at IS NULL OR o.removed_at > $at) AND s.valid_from <= $at
        ORDER BY o.posix_object_id, s.valid_from
        """;
}
