-- IpcAudit central store (PostgreSQL), schema 3: the twin of schema/0003_login_defs.sql.
ALTER TABLE contexts ADD COLUMN sys_uid_max BIGINT;
