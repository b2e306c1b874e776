-- IpcAudit central store (PostgreSQL), schema 9: the twin of schema/0009_owner_changes.sql (why: there).
ALTER TABLE objects ADD COLUMN owner_uid BIGINT;
ALTER TABLE objects ADD COLUMN owner_changed_at BIGINT;

UPDATE objects SET owner_uid = f.uid
FROM (SELECT object_id, uid, row_number() OVER (PARTITION BY object_id ORDER BY valid_from) AS n FROM shm_states
      UNION ALL SELECT object_id, uid, row_number() OVER (PARTITION BY object_id ORDER BY valid_from) FROM sem_states
      UNION ALL SELECT object_id, uid, row_number() OVER (PARTITION BY object_id ORDER BY valid_from) FROM msg_states) AS f
WHERE f.object_id = objects.object_id AND f.n = 1;

UPDATE objects SET owner_changed_at = c.at
FROM (SELECT object_id, max(valid_from) AS at
      FROM (SELECT object_id, valid_from, uid, lag(uid) OVER (PARTITION BY object_id ORDER BY valid_from) AS before FROM shm_states
            UNION ALL SELECT object_id, valid_from, uid, lag(uid) OVER (PARTITION BY object_id ORDER BY valid_from) FROM sem_states
            UNION ALL SELECT object_id, valid_from, uid, lag(uid) OVER (PARTITION BY object_id ORDER BY valid_from) FROM msg_states) AS t
      WHERE before IS NOT NULL AND before <> uid
      GROUP BY object_id) AS c
WHERE c.object_id = objects.object_id;
