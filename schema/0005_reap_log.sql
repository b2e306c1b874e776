-- IpcAudit store, schema 5: what `ipcaudit reap` removed and what it skipped.
--
-- One row per object reap decided to remove (never for a dry run): when, the uid that ran it, the
-- snapshot it decided on, the object as that snapshot saw it (kind, id, key, creation ctime), the
-- evidence of its orphan verdict (JSON array of lines), and the outcome with its reason. object_id
-- lets the report count reaped objects apart in its churn; it is set NULL when prune deletes the
-- object, while the rest of the row (the audit trail) stays.
CREATE TABLE reap_log (
    reap_id       INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,                 -- unix ms UTC, when the removal was attempted
    by_uid        INTEGER NOT NULL,                 -- the effective uid that ran reap
    snapshot_uid  TEXT    NOT NULL,                 -- the fresh snapshot reap decided on
    host          TEXT    NOT NULL,
    object_id     INTEGER REFERENCES objects ON DELETE SET NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('shm', 'sem', 'msg')),
    ipc_id        INTEGER NOT NULL,
    key           INTEGER NOT NULL,                 -- unsigned 32-bit
    ctime         INTEGER,                          -- unix s, creation ctime as the snapshot saw it
    owner         INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    age_seconds   INTEGER NOT NULL,
    evidence      TEXT    NOT NULL,                 -- JSON array of strings
    outcome       TEXT    NOT NULL CHECK (outcome IN ('removed', 'skipped', 'failed')),
    reason        TEXT                              -- why skipped or failed; NULL when removed
);
CREATE INDEX reap_log_at ON reap_log (at);
CREATE INDEX reap_log_object ON reap_log (object_id) WHERE object_id IS NOT NULL;
