-- IpcAudit store, schema 10: each snapshot's message queues, summed per owner.
--
-- A queue's fill changes at almost every snapshot, so a busy host has a msg_states row per queue per
-- snapshot: the report read every one of them to draw the queue series (bytes queued, the fullest
-- queue, bytes per owner), about half of a central report's server time. These rows are those series,
-- one per snapshot and owner uid of its queues: the queues, their bytes, and the owner's fullest queue
-- (by what the kernel charges against qbytes, max(cbytes, qnum), over its capacity: qbytes, else the
-- snapshot's msgmnb, else 0 when unknown). A snapshot with no queue has no row. They are derived from
-- the states valid at the snapshot and never change: the collector writes them with the snapshot,
-- `merge` and `ship` copy them, and a snapshot deleted takes them with it. They are keyed by the
-- snapshot's own natural key (context, time), so a report's window over a context is one range of
-- the primary key (on the server, an index-only range: the values ride in the key's index).
CREATE TABLE msg_totals (
    context_id       INTEGER NOT NULL,
    taken_at         INTEGER NOT NULL,
    uid              INTEGER NOT NULL,
    queues           INTEGER NOT NULL,
    cbytes           INTEGER NOT NULL,
    fullest_cbytes   INTEGER NOT NULL,
    fullest_qnum     INTEGER NOT NULL,
    fullest_capacity INTEGER NOT NULL,
    PRIMARY KEY (context_id, taken_at, uid),
    FOREIGN KEY (context_id, taken_at) REFERENCES snapshots (context_id, taken_at) ON DELETE CASCADE
) WITHOUT ROWID;

-- The history written before, from every state with each snapshot of its context it was valid at.
-- The fullest queue is ranked as the collector ranks it (src/Store/QueueTotalsSql.cs).
WITH levels AS (
    SELECT sn.context_id, sn.taken_at, s.uid, s.cbytes, s.qnum, o.object_id,
           CASE WHEN s.cbytes >= s.qnum THEN s.cbytes ELSE s.qnum END AS charged,
           coalesce(s.qbytes, CAST(l.msgmnb AS INTEGER), 0) AS capacity
    FROM msg_states s
    JOIN objects o ON o.object_id = s.object_id AND o.kind = 'msg'
    -- Both bounds on the (context_id, taken_at) key: an open state (valid_to NULL) runs to the end.
    JOIN snapshots sn ON sn.context_id = o.context_id AND sn.taken_at >= s.valid_from
                     AND sn.taken_at < coalesce(s.valid_to, 9223372036854775807)
    LEFT JOIN limit_sets l ON l.limit_set_id = sn.limit_set_id
), ranked AS (
    SELECT context_id, taken_at, uid, cbytes, qnum, capacity,
           count(*) OVER owner AS queues, sum(cbytes) OVER owner AS total,
           row_number() OVER (owner ORDER BY CASE WHEN capacity = 0 THEN 0.0 ELSE CAST(charged AS REAL) / capacity END DESC,
                                             charged DESC, cbytes DESC, capacity DESC, object_id) AS n
    FROM levels
    WINDOW owner AS (PARTITION BY context_id, taken_at, uid)
)
INSERT INTO msg_totals (context_id, taken_at, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity)
SELECT context_id, taken_at, uid, queues, total, cbytes, qnum, capacity FROM ranked WHERE n = 1;
