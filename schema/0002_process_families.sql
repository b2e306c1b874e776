-- IpcAudit store, schema 2: process identity that survives clock steps, process families, and
-- IPC namespaces whose inode was reused.
--
-- A process is pid + start_ticks (field 22 of /proc/PID/stat, clock ticks since boot) within one
-- context (one boot). start_time (unix ms, as first seen) stays for comparing with kernel operation
-- times only: btime moves when the clock is stepped, start_ticks never does. Rows written before
-- schema 2 have NULL start_ticks and are matched on start_time with the old 2 s tolerance.
--
-- Which processes have rows: those an object names (cpid, lpid, attachers, semaphore pids, lspid,
-- lrpid), the live last users of objects a snapshot removed, each one's family parent, and for every
-- uid that owns or created a present object its oldest live process in the namespace (a holder: not
-- pid 1, a kernel thread or a service manager). Every open span is re-checked at each snapshot and
-- closed when that process (pid + start_ticks) has exited, so a span covers the process's life as
-- seen, not only the snapshots that named it.
ALTER TABLE processes ADD COLUMN start_ticks INTEGER;
-- The parent as first seen. parent_start_ticks is NULL when the parent does not count as family
-- (pid 1 of the namespace, kthreadd, a service manager or subreaper that adopts orphans: README,
-- "Orphans, idle objects and evidence"); otherwise the parent is recorded as a process of its own.
ALTER TABLE processes ADD COLUMN ppid INTEGER;
ALTER TABLE processes ADD COLUMN parent_start_ticks INTEGER;

-- IPC namespace inodes are reused by later namespaces: a namespace first seen after another of the
-- same inode (same host and boot) had ended gets the next generation, and so a context of its own.
-- natural_key gains '|gN' for N > 0, so contexts written before schema 2 keep their keys.
ALTER TABLE contexts ADD COLUMN ns_generation INTEGER NOT NULL DEFAULT 0;
