namespace IpcAudit.Store;

/// <summary>
/// Schema 10's msg_totals: a snapshot's message queues per owner uid, derived from the queue states
/// valid at it, so a report draws the queue series without reading a state per queue per snapshot.
/// </summary>
internal static class QueueTotalsSql
{
    /// <summary>
    /// Writes the rows of the snapshot of context $context at $at once its states are written: for
    /// each owner, its queues, their bytes, and its fullest queue. Fullest is the largest share of capacity
    /// charged (max(cbytes, qnum), as the kernel counts both against qbytes; capacity is qbytes, else the
    /// snapshot's msgmnb, else 0 and share 0), then the most charged, the most bytes, the largest capacity,
    /// the oldest object: a total order, so any owner's rows give the host's fullest queue too. Each queue's
    /// state at $at is two key lookups (newest begun by then), never a scan of its history. The migration
    /// that filled the history before (schema/0010_queue_totals.sql) ranks the same way.
    /// </summary>
    public const string Write = """
        WITH levels AS (
            SELECT s.uid, s.cbytes, s.qnum, o.object_id,
                   CASE WHEN s.cbytes >= s.qnum THEN s.cbytes ELSE s.qnum END AS charged,
                   coalesce(s.qbytes, CAST(l.msgmnb AS INTEGER), 0) AS capacity
            FROM objects o
            JOIN msg_states s ON s.object_id = o.object_id
                             AND s.valid_from = (SELECT max(m.valid_from) FROM msg_states m WHERE m.object_id = o.object_id AND m.valid_from <= $at)
                             AND (s.valid_to IS NULL OR s.valid_to > $at)
            LEFT JOIN snapshots sn ON sn.context_id = $context AND sn.taken_at = $at
            LEFT JOIN limit_sets l ON l.limit_set_id = sn.limit_set_id
            WHERE o.context_id = $context AND o.kind = 'msg' AND o.first_seen <= $at AND (o.removed_at IS NULL OR o.removed_at > $at)
        ), ranked AS (
            SELECT uid, cbytes, qnum, capacity,
                   count(*) OVER owner AS queues, sum(cbytes) OVER owner AS total,
                   row_number() OVER (owner ORDER BY CASE WHEN capacity = 0 THEN 0.0 ELSE CAST(charged AS REAL) / capacity END DESC,
                                                     charged DESC, cbytes DESC, capacity DESC, object_id) AS n
            FROM levels
            WINDOW owner AS (PARTITION BY uid)
        )
        INSERT INTO msg_totals (context_id, taken_at, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity)
        SELECT $context, $at, uid, queues, total, cbytes, qnum, capacity FROM ranked WHERE n = 1
        """;
}
