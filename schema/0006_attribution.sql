-- IpcAudit store, schema 6: attribution. Who owns an object by name, and what program and service
-- each recorded process was, so a report names `postgres` and `postgresql@15-main.service` rather
-- than uid 111 and a pid long gone.
--
-- What each process was, as first seen (like comm and cmdline): its executable (readlink of
-- /proc/PID/exe, " (deleted)" kept as the kernel says it), its working directory, the device and
-- inode of both (a System V key made by ftok() or PostgreSQL's data-directory scheme is built from
-- them), and its cgroup path with what that path names (CgroupFile): the systemd unit, the container
-- runtime, the container id and the Kubernetes pod uid. NULL: not readable or not said.
ALTER TABLE processes ADD COLUMN exe TEXT;
ALTER TABLE processes ADD COLUMN exe_dev INTEGER;
ALTER TABLE processes ADD COLUMN exe_ino INTEGER;
ALTER TABLE processes ADD COLUMN cwd TEXT;
ALTER TABLE processes ADD COLUMN cwd_dev INTEGER;
ALTER TABLE processes ADD COLUMN cwd_ino INTEGER;
ALTER TABLE processes ADD COLUMN cgroup TEXT;
ALTER TABLE processes ADD COLUMN unit TEXT;
ALTER TABLE processes ADD COLUMN container_runtime TEXT;
ALTER TABLE processes ADD COLUMN container_id TEXT;
ALTER TABLE processes ADD COLUMN pod_uid TEXT;

-- A pid an object named (creator, last operator, semaphore pid, sender, receiver) that was already
-- gone when the collector first read it: a short-lived process that lived and died between two
-- snapshots. One row when first seen gone (again only after a live process of that pid was
-- recorded); comm is what a zombie still showed, NULL when nothing remained.
CREATE TABLE gone_processes (
    context_id  INTEGER NOT NULL REFERENCES contexts ON DELETE CASCADE,
    pid         INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,                 -- unix ms UTC: the snapshot that found it gone
    comm        TEXT,
    unit        TEXT,                             -- a zombie's cgroup can still name its unit
    PRIMARY KEY (context_id, pid, seen_at)
) WITHOUT ROWID;

-- User and group names as the collected host resolved them (its own /etc/passwd and /etc/group,
-- <proc-root>/etc/... for a saved copy), for the uids and gids its objects and processes use. A row
-- per change: the name valid from that snapshot on, NULL when the id had no entry. Per context, so a
-- fleet database shows each host's own names.
CREATE TABLE account_names (
    context_id  INTEGER NOT NULL REFERENCES contexts ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('user', 'group')),
    id          INTEGER NOT NULL,
    valid_from  INTEGER NOT NULL,                 -- unix ms UTC
    name        TEXT,
    PRIMARY KEY (context_id, kind, id, valid_from)
) WITHOUT ROWID;
