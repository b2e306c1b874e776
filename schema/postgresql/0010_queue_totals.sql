-- IpcAudit central store (PostgreSQL), schema 10: the twin of schema/0010_queue_totals.sql (why: there).
CREATE TABLE msg_totals (
    context_id       BIGINT NOT NULL,
    taken_at         BIGINT NOT NULL,
    uid              BIGINT NOT NULL,
    queues           BIGINT NOT NULL,
    cbytes           BIGINT NOT NULL,
    fullest_cbytes   BIGINT NOT NULL,
    fullest_qnum     BIGINT NOT NULL,
    fullest_capacity BIGINT NOT NULL,
    -- The values ride in the key's index, so a report's range over one context reads the index alone.
    PRIMARY KEY (context_id, taken_at, uid) INCLUDE (queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity),
    FOREIGN KEY (context_id, taken_at) REFERENCES snapshots (context_id, taken_at) ON DELETE CASCADE
);

WITH levels AS (
    SELECT sn.context_id, sn.taken_at, s.uid, s.cbytes, s.qnum, o.object_id,
           CASE WHEN s.cbytes >= s.qnum THEN s.cbytes ELSE s.qnum END AS charged,
           coalesce(s.qbytes, CAST(l.msgmnb AS BIGINT), 0) AS capacity
    FROM msg_states s
    JOIN objects o ON o.object_id = s.object_id AND o.kind = 'msg'
    -- Both bounds on the (context_id, taken_at) key: an open state (valid_to NULL) runs to the end.
    JOIN snapshots sn ON sn.context_id = o.context_id AND sn.taken_at >= s.valid_from
                     AND sn.taken_at < coalesce(s.valid_to, 9223372036854775807)
    LEFT JOIN limit_sets l ON l.limit_set_id = sn.limit_set_id
), ranked AS (
    SELECT context_id, taken_at, uid, cbytes, qnum, capacity,
           count(*) OVER owner AS queues, sum(cbytes) OVER owner AS total,
           row_number() OVER (owner ORDER BY CASE WHEN capacity = 0 THEN CAST(0 AS DOUBLE PRECISION)
                                                  ELSE CAST(charged AS DOUBLE PRECISION) / capacity END DESC,
                                             charged DESC, cbytes DESC, capacity DESC, object_id) AS n
    FROM levels
    WINDOW owner AS (PARTITION BY context_id, taken_at, uid)
)
INSERT INTO msg_totals (context_id, taken_at, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity)
SELECT context_id, taken_at, uid, queues, total, cbytes, qnum, capacity FROM ranked WHERE n = 1;
