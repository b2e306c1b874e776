-- IpcAudit central store (PostgreSQL), schema 2: the twin of schema/0002_process_families.sql.
ALTER TABLE processes ADD COLUMN start_ticks BIGINT;
ALTER TABLE processes ADD COLUMN ppid BIGINT;
ALTER TABLE processes ADD COLUMN parent_start_ticks BIGINT;
ALTER TABLE contexts ADD COLUMN ns_generation BIGINT NOT NULL DEFAULT 0;
