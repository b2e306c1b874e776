-- IpcAudit store, schema 1.
-- Times are INTEGER unix milliseconds, UTC. Kernel values that can exceed 2^63 (shmall, shmmax)
-- are TEXT holding the exact decimal: SQLite INTEGER is signed 64-bit.
--
-- Storage stores changes, not copies: an object's state row is valid from the snapshot where it
-- was first seen in that state (valid_from) until the first snapshot where it was not
-- (valid_to, exclusive; NULL while current). "As of snapshot S" is
--   valid_from <= S.taken_at AND (valid_to IS NULL OR valid_to > S.taken_at)
-- within S's context.

-- A host + boot + IPC namespace: ids and keys mean nothing outside one.
CREATE TABLE contexts (
    context_id    INTEGER PRIMARY KEY,
    natural_key   TEXT    NOT NULL UNIQUE,   -- host|machine_id|boot_id|ipc_namespace (NULLs are distinct in UNIQUE)
    host          TEXT    NOT NULL,
    machine_id    TEXT,
    boot_id       TEXT,
    kernel        TEXT,
    ipc_namespace INTEGER,
    page_size     INTEGER NOT NULL
);

-- Limits change rarely: each distinct set is stored once and shared by the snapshots that saw it.
CREATE TABLE limit_sets (
    limit_set_id    INTEGER PRIMARY KEY,
    fingerprint     TEXT NOT NULL UNIQUE,
    shmmax          TEXT,
    shmall          TEXT,
    shmmni          TEXT,
    shm_rmid_forced TEXT,
    semmsl          TEXT,
    semmns          TEXT,
    semopm          TEXT,
    semmni          TEXT,
    msgmax          TEXT,
    msgmnb          TEXT,
    msgmni          TEXT
);

CREATE TABLE snapshots (
    snapshot_id         INTEGER PRIMARY KEY,
    snapshot_uid        TEXT    NOT NULL UNIQUE,  -- survives `merge`; ids do not
    context_id          INTEGER NOT NULL REFERENCES contexts,
    taken_at            INTEGER NOT NULL,
    collector_version   TEXT    NOT NULL,
    schema_version      INTEGER NOT NULL,
    limit_set_id        INTEGER REFERENCES limit_sets,
    shm_count           INTEGER NOT NULL,
    sem_count           INTEGER NOT NULL,
    msg_count           INTEGER NOT NULL,
    -- usage, as `ipcs -u` prints it; NULL when the live syscalls were not available
    shm_segments        INTEGER,
    shm_pages_allocated INTEGER,
    shm_pages_resident  INTEGER,
    shm_pages_swapped   INTEGER,
    sem_arrays          INTEGER,
    sem_semaphores      INTEGER,
    msg_queues          INTEGER,
    msg_messages        INTEGER,
    msg_bytes           INTEGER,
    notes               TEXT,                      -- JSON array of strings, NULL when none
    UNIQUE (context_id, taken_at)
);
CREATE INDEX snapshots_taken_at ON snapshots (taken_at);

CREATE TABLE snapshot_steps (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots ON DELETE CASCADE,
    step         TEXT    NOT NULL,
    ordinal      INTEGER NOT NULL,                -- collection order
    duration_us  INTEGER NOT NULL,
    succeeded    INTEGER NOT NULL,
    note         TEXT,
    PRIMARY KEY (snapshot_id, step)
) WITHOUT ROWID;

-- One row per object identity: context + kind + id + ctime at first sight.
CREATE TABLE objects (
    object_id     INTEGER PRIMARY KEY,
    context_id    INTEGER NOT NULL REFERENCES contexts,
    kind          TEXT    NOT NULL CHECK (kind IN ('shm', 'sem', 'msg')),
    ipc_id        INTEGER NOT NULL,
    key           INTEGER NOT NULL,               -- unsigned 32-bit
    first_ctime   INTEGER NOT NULL,               -- 0 when the kernel reported none (keeps UNIQUE exact: NULLs are distinct)
    creator_pid   INTEGER,                        -- shm cpid; NULL for sem/msg (the kernel keeps none)
    shape         INTEGER,                        -- fixed for life: shm size, sem nsems; NULL for msg
    first_seen    INTEGER NOT NULL,               -- taken_at of the first snapshot that saw it
    removed_at    INTEGER,                        -- taken_at of the first snapshot that did not; NULL while present
    UNIQUE (context_id, kind, ipc_id, first_ctime, first_seen)
);
CREATE INDEX objects_present ON objects (context_id, kind) WHERE removed_at IS NULL;
CREATE INDEX objects_lifetime ON objects (context_id, first_seen, removed_at);

CREATE TABLE shm_states (
    object_id     INTEGER NOT NULL REFERENCES objects,
    valid_from    INTEGER NOT NULL,
    valid_to      INTEGER,
    fingerprint   INTEGER NOT NULL,
    key           INTEGER NOT NULL,               -- the kernel sets it to 0 when a segment is marked dest
    mode          INTEGER NOT NULL,
    uid INTEGER NOT NULL, gid INTEGER NOT NULL, cuid INTEGER NOT NULL, cgid INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    nattch        INTEGER NOT NULL,
    cpid          INTEGER NOT NULL,
    lpid          INTEGER NOT NULL,
    atime INTEGER, dtime INTEGER, ctime INTEGER,
    rss_bytes     INTEGER,
    swap_bytes    INTEGER,
    attached_pids TEXT,                           -- JSON array; NULL when not known
    PRIMARY KEY (object_id, valid_from)
) WITHOUT ROWID;

CREATE TABLE sem_states (
    object_id     INTEGER NOT NULL REFERENCES objects,
    valid_from    INTEGER NOT NULL,
    valid_to      INTEGER,
    fingerprint   INTEGER NOT NULL,
    key           INTEGER NOT NULL,               -- the kernel sets it to 0 when a segment is marked dest
    mode          INTEGER NOT NULL,
    uid INTEGER NOT NULL, gid INTEGER NOT NULL, cuid INTEGER NOT NULL, cgid INTEGER NOT NULL,
    nsems         INTEGER NOT NULL,
    otime INTEGER, ctime INTEGER,
    semaphores    TEXT,                           -- JSON [[value, ncount, zcount, pid], ...] by semnum; NULL when unknown
    vanished      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object_id, valid_from)
) WITHOUT ROWID;

CREATE TABLE msg_states (
    object_id     INTEGER NOT NULL REFERENCES objects,
    valid_from    INTEGER NOT NULL,
    valid_to      INTEGER,
    fingerprint   INTEGER NOT NULL,
    key           INTEGER NOT NULL,               -- the kernel sets it to 0 when a segment is marked dest
    mode          INTEGER NOT NULL,
    uid INTEGER NOT NULL, gid INTEGER NOT NULL, cuid INTEGER NOT NULL, cgid INTEGER NOT NULL,
    cbytes        INTEGER NOT NULL,
    qnum          INTEGER NOT NULL,
    qbytes        INTEGER,
    lspid INTEGER NOT NULL, lrpid INTEGER NOT NULL,
    stime INTEGER, rtime INTEGER, ctime INTEGER,
    vanished      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object_id, valid_from)
) WITHOUT ROWID;

-- Live processes referenced by some object, with the span over which they were seen alive.
-- A referenced pid with no row valid at S was dead at S (when S's "processes" step succeeded).
-- comm/cmdline are as first seen: daemons rewrite their titles and that is not worth a row each time.
CREATE TABLE processes (
    context_id   INTEGER NOT NULL REFERENCES contexts,
    pid          INTEGER NOT NULL,
    start_time   INTEGER NOT NULL,               -- unix ms UTC; tells a live creator from a reused pid
    valid_from   INTEGER NOT NULL,
    valid_to     INTEGER,
    comm         TEXT,
    cmdline      TEXT,
    uid          INTEGER,
    PRIMARY KEY (context_id, pid, start_time, valid_from)
) WITHOUT ROWID;

CREATE INDEX shm_states_open ON shm_states (object_id) WHERE valid_to IS NULL;
CREATE INDEX sem_states_open ON sem_states (object_id) WHERE valid_to IS NULL;
CREATE INDEX msg_states_open ON msg_states (object_id) WHERE valid_to IS NULL;
CREATE INDEX processes_open ON processes (context_id) WHERE valid_to IS NULL;
