-- IpcAudit store, schema 8: POSIX IPC beside System V.
--
-- POSIX objects are files (/dev/shm/NAME, /dev/shm/sem.NAME, the mqueue filesystem's NAME): named, with
-- no ipc id or key, so they get tables of their own. Identity: context + kind + name + inode (a file
-- recreated under the same name is a new object). As for System V, a state row is valid from the snapshot
-- it was first seen in until the first snapshot where it was not (valid_to exclusive, NULL while current),
-- and an unchanged object adds no row. Holders (mapped_pids, open_pids) are part of the state: a change
-- of holders is a sign of use.
CREATE TABLE posix_objects (
    posix_object_id INTEGER PRIMARY KEY,
    context_id      INTEGER NOT NULL REFERENCES contexts ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('posix_shm', 'posix_sem', 'posix_mq')),
    name            TEXT    NOT NULL,
    inode           INTEGER NOT NULL,
    first_ctime     INTEGER,                 -- unix ms
    first_seen      INTEGER NOT NULL,
    removed_at      INTEGER,                 -- first snapshot it was gone at
    UNIQUE (context_id, kind, name, inode, first_seen)   -- the natural key `merge` and `ship` match on
);
CREATE INDEX posix_objects_open ON posix_objects (context_id, kind) WHERE removed_at IS NULL;

CREATE TABLE posix_states (
    posix_object_id INTEGER NOT NULL REFERENCES posix_objects ON DELETE CASCADE,
    valid_from      INTEGER NOT NULL,
    valid_to        INTEGER,
    fingerprint     INTEGER NOT NULL,
    uid             INTEGER NOT NULL,
    gid             INTEGER NOT NULL,
    mode            INTEGER NOT NULL,
    bytes           INTEGER,                 -- shm/sem: file size; mq: QSIZE (bytes queued)
    allocated_bytes INTEGER,                 -- shm/sem: blocks × 512
    mtime           INTEGER,
    ctime           INTEGER,
    value           INTEGER,                 -- sem: the value; NULL unknown
    deleted         INTEGER NOT NULL DEFAULT 0,
    messages        INTEGER,                 -- mq: mq_curmsgs, mq_maxmsg, mq_msgsize; NULL unknown
    max_messages    INTEGER,
    message_size    INTEGER,
    notify_pid      INTEGER,
    mapped_pids     TEXT,                    -- JSON array; NULL unknown
    open_pids       TEXT,
    PRIMARY KEY (posix_object_id, valid_from)
) WITHOUT ROWID;
CREATE INDEX posix_states_open ON posix_states (posix_object_id) WHERE valid_to IS NULL;

-- One small row per snapshot that collected POSIX IPC: counts (NULL when that step failed), the /dev/shm
-- tmpfs size and use, and the mqueue limits and queue count.
CREATE TABLE posix_snapshot (
    snapshot_id        INTEGER PRIMARY KEY REFERENCES snapshots ON DELETE CASCADE,
    shm_count          INTEGER,
    sem_count          INTEGER,
    mq_count           INTEGER,
    devshm_bytes       INTEGER,
    devshm_used_bytes  INTEGER,
    mq_queues          INTEGER,
    mq_queues_max      INTEGER,
    mq_msg_max         INTEGER,
    mq_msgsize_max     INTEGER,
    mq_msg_default     INTEGER,
    mq_msgsize_default INTEGER
);
