-- IpcAudit store, schema 11: whether each snapshot's process scan succeeded, on the snapshot row.
--
-- A report asks it of every snapshot in its window: where the 'processes' step failed, nobody's
-- liveness is known at that snapshot, so no verdict may rest on it. Reading it from snapshot_steps
-- cost a key lookup per snapshot, nine tenths of reading a context's snapshots, and on a central
-- store a report reads the snapshots of every host before anything else. The collector sets it as
-- it writes the snapshot (1 when the step succeeded; 0 when it failed or did not run, as a missing
-- step row always counted); `merge` and `ship` copy it. snapshot_steps keeps the step as it was.
ALTER TABLE snapshots ADD COLUMN processes_ok INTEGER NOT NULL DEFAULT 0;

-- The history written before, from its step rows.
UPDATE snapshots SET processes_ok = 1
WHERE EXISTS (SELECT 1 FROM snapshot_steps st
              WHERE st.snapshot_id = snapshots.snapshot_id AND st.step = 'processes' AND st.succeeded <> 0);
