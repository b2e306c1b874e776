-- IpcAudit store, schema 4: a kind's object count is unknown (NULL) when its step failed.
--
-- A snapshot whose shm, sem or msg step failed (the file missing, a directory, unreadable) keeps that
-- kind's history open, so the objects carried over still show; its count used to be stored as 0, a
-- false statement. shm_count, sem_count and msg_count were NOT NULL. SQLite cannot drop a NOT NULL
-- constraint with ALTER TABLE, and rebuilding `snapshots` would cascade-delete snapshot_steps (its
-- foreign key has ON DELETE CASCADE and foreign keys are on while migrating). Removing a NOT NULL
-- constraint changes nothing on disk, so this uses SQLite's documented procedure for exactly that
-- (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): edit the
-- stored CREATE TABLE text. Only the three column definitions written by 0001 are replaced, so
-- columns that later migrations add stay as they are. Rows written before stay valid and readable.
--
-- 64-bit values: shm size/rss/swap and msg cbytes/qnum are stored as INTEGER (signed 64-bit). The
-- collector refuses a /proc value at or above 2^63 as malformed (exit 3): the kernel caps a segment
-- at MAX_LFS_FILESIZE (2^63 - 1) and a queue far below, so every value it can print is stored exactly.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(replace(sql,
        'shm_count           INTEGER NOT NULL,', 'shm_count           INTEGER,          -- NULL: the shm step failed'),
        'sem_count           INTEGER NOT NULL,', 'sem_count           INTEGER,          -- NULL: the sem step failed'),
        'msg_count           INTEGER NOT NULL,', 'msg_count           INTEGER,          -- NULL: the msg step failed')
WHERE type = 'table' AND name = 'snapshots';
PRAGMA writable_schema = OFF;
-- Any schema change bumps the schema cookie, so open connections re-read the edited definition.
CREATE TABLE schema_0004_cookie (x);
DROP TABLE schema_0004_cookie;
