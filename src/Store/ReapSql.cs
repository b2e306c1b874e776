namespace IpcAudit.Store;

/// <summary>The statements of the reap log (schema/0005_reap_log.sql).</summary>
internal static class ReapSql
{
    public const string Insert = """
        INSERT INTO reap_log (at, by_uid, snapshot_uid, host, object_id, kind, ipc_id, key, ctime, owner, bytes, age_seconds,
                              evidence, outcome, reason)
        VALUES ($at, $by, $snapshot, $host,
                (SELECT o.object_id FROM objects o JOIN snapshots s ON s.context_id = o.context_id
                 WHERE s.snapshot_uid = $snapshot AND o.kind = $kind AND o.ipc_id = $id AND o.removed_at IS NULL
                 ORDER BY o.first_seen DESC LIMIT 1),
                $kind, $id, $key, $ctime, $owner, $bytes, $age, $evidence, $outcome, $reason)
        """;

    public const string Since = """
        SELECT at, by_uid, host, kind, ipc_id, key, ctime, owner, bytes, age_seconds, evidence, outcome, reason, snapshot_uid
        FROM reap_log WHERE at >= $since ORDER BY at, reap_id
        """;

    public const string SnapshotUid = "SELECT snapshot_uid FROM snapshots WHERE snapshot_id = $id";

    public const string RemovedObjects = "SELECT object_id FROM reap_log WHERE outcome = 'removed' AND object_id IS NOT NULL";

    public const string ContextOf = "SELECT context_id FROM snapshots WHERE snapshot_id = $id";
}
