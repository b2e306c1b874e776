-- IpcAudit central store (PostgreSQL), schema 4: the twin of schema/0004_unknown_counts.sql
-- (a kind's object count is NULL when its step failed). PostgreSQL drops the constraint directly.
ALTER TABLE snapshots ALTER COLUMN shm_count DROP NOT NULL;
ALTER TABLE snapshots ALTER COLUMN sem_count DROP NOT NULL;
ALTER TABLE snapshots ALTER COLUMN msg_count DROP NOT NULL;
