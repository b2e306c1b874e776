-- IpcAudit central store (PostgreSQL), schema 11: the twin of schema/0011_processes_ok.sql (why: there).
ALTER TABLE snapshots ADD COLUMN processes_ok BIGINT NOT NULL DEFAULT 0;

UPDATE snapshots SET processes_ok = 1
WHERE EXISTS (SELECT 1 FROM snapshot_steps st
              WHERE st.snapshot_id = snapshots.snapshot_id AND st.step = 'processes' AND st.succeeded <> 0);
