-- IpcAudit store, schema 9: who owns each object, kept on the object.
--
-- A report gives every object its owner over the window (growth and churn per owner). Reading that
-- from the state rows meant a pass over every state of the window: on a central store of a thousand
-- hosts, the largest single cost of a report. The owner changes only by IPC_SET, which almost no
-- program does, so the object row keeps the uid of its first state (owner_uid) and the start of the
-- newest state whose uid differs from the state before it (owner_changed_at; NULL: never changed).
-- Only an object with a change has its states read. The collector sets both as it writes states;
-- `merge` and `ship` copy them. Pruning may leave owner_changed_at on an object whose change is gone:
-- that only costs a read of its states, which say the truth.
ALTER TABLE objects ADD COLUMN owner_uid INTEGER;
ALTER TABLE objects ADD COLUMN owner_changed_at INTEGER;

-- The history written before: the first state's uid, and the last change found by comparing each
-- state with the one before it (consecutive states meet: one's valid_to is the next one's valid_from).
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
