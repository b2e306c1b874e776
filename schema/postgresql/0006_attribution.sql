-- IpcAudit central store (PostgreSQL), schema 6: the twin of schema/0006_attribution.sql.
ALTER TABLE processes ADD COLUMN exe TEXT;
ALTER TABLE processes ADD COLUMN exe_dev BIGINT;
ALTER TABLE processes ADD COLUMN exe_ino BIGINT;
ALTER TABLE processes ADD COLUMN cwd TEXT;
ALTER TABLE processes ADD COLUMN cwd_dev BIGINT;
ALTER TABLE processes ADD COLUMN cwd_ino BIGINT;
ALTER TABLE processes ADD COLUMN cgroup TEXT;
ALTER TABLE processes ADD COLUMN unit TEXT;
ALTER TABLE processes ADD COLUMN container_runtime TEXT;
ALTER TABLE processes ADD COLUMN container_id TEXT;
ALTER TABLE processes ADD COLUMN pod_uid TEXT;

CREATE TABLE gone_processes (
    context_id  BIGINT NOT NULL REFERENCES contexts ON DELETE CASCADE,
    pid         BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL,
    comm        TEXT,
    unit        TEXT,
    PRIMARY KEY (context_id, pid, seen_at)
);

CREATE TABLE account_names (
    context_id  BIGINT NOT NULL REFERENCES contexts ON DELETE CASCADE,
    kind        TEXT   NOT NULL CHECK (kind IN ('user', 'group')),
    id          BIGINT NOT NULL,
    valid_from  BIGINT NOT NULL,
    name        TEXT,
    PRIMARY KEY (context_id, kind, id, valid_from)
);
