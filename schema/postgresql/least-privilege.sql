-- IpcAudit central store: least privilege (README: Fleet). Not a migration: run it as the owner of the
-- tables after the schema exists (the first `ipcaudit ship` as the owner creates it), and again after an
-- upgrade adds tables. Safe to run twice.
--
--   ipcaudit_collector  ships: adds and closes rows of its own host only (row-level security keyed on the
--                       host through ipcaudit_host_roles), reads nothing of other hosts, deletes nothing.
--   ipcaudit_reader     reports: reads every host, changes nothing.
--
-- One login role per collector host, mapped to the host name it records (`ipcaudit collect` uses the
-- kernel's hostname unless --host says otherwise):
--   CREATE ROLE collector_web1 LOGIN PASSWORD '...' IN ROLE ipcaudit_collector;
--   INSERT INTO ipcaudit_host_roles (host, role) VALUES ('web1', 'collector_web1');
--   CREATE ROLE reviewer LOGIN PASSWORD '...' IN ROLE ipcaudit_reader;

DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ipcaudit_collector') THEN CREATE ROLE ipcaudit_collector NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ipcaudit_reader') THEN CREATE ROLE ipcaudit_reader NOLOGIN; END IF;
END $$;

CREATE TABLE IF NOT EXISTS ipcaudit_host_roles (
    host TEXT NOT NULL,
    role NAME NOT NULL,
    PRIMARY KEY (host, role)
);

GRANT USAGE ON SCHEMA public TO ipcaudit_collector, ipcaudit_reader;
GRANT SELECT ON schema_migrations, ipcaudit_host_roles TO ipcaudit_collector;
-- Limit sets are kernel limits shared by every host that has them (matched by fingerprint): nothing of a host's own.
GRANT SELECT, INSERT, UPDATE ON limit_sets TO ipcaudit_collector;
GRANT SELECT, INSERT, UPDATE ON contexts, snapshots, snapshot_steps, objects, shm_states, sem_states, msg_states, processes,
    gone_processes, account_names, posix_objects, posix_states, posix_snapshot, msg_totals
    TO ipcaudit_collector;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ipcaudit_reader;
REVOKE ALL ON reap_log FROM ipcaudit_collector;

-- The host a row belongs to, through its context: every policy below is this one test.
CREATE OR REPLACE FUNCTION ipcaudit_own_context(context BIGINT) RETURNS BOOLEAN
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT EXISTS (SELECT 1 FROM contexts c JOIN ipcaudit_host_roles h ON h.host = c.host
                   WHERE c.context_id = context AND h.role = session_user)
$$;
REVOKE ALL ON FUNCTION ipcaudit_own_context(BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ipcaudit_own_context(BIGINT) TO ipcaudit_collector;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['contexts', 'snapshots', 'snapshot_steps', 'objects', 'shm_states', 'sem_states', 'msg_states', 'processes', 'reap_log',
                            'gone_processes', 'account_names', 'posix_objects', 'posix_states', 'posix_snapshot',
                            'msg_totals'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('DROP POLICY IF EXISTS ipcaudit_reader_all ON %I', t);
        EXECUTE format('CREATE POLICY ipcaudit_reader_all ON %I FOR SELECT TO ipcaudit_reader USING (true)', t);
        EXECUTE format('DROP POLICY IF EXISTS ipcaudit_collector_own ON %I', t);
    END LOOP;
END $$;

CREATE POLICY ipcaudit_collector_own ON contexts TO ipcaudit_collector
    USING (host IN (SELECT host FROM ipcaudit_host_roles WHERE role = session_user))
    WITH CHECK (host IN (SELECT host FROM ipcaudit_host_roles WHERE role = session_user));
CREATE POLICY ipcaudit_collector_own ON snapshots TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON objects TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON processes TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON snapshot_steps TO ipcaudit_collector
    USING (snapshot_id IN (SELECT snapshot_id FROM snapshots)) WITH CHECK (snapshot_id IN (SELECT snapshot_id FROM snapshots));
CREATE POLICY ipcaudit_collector_own ON shm_states TO ipcaudit_collector
    USING (object_id IN (SELECT object_id FROM objects)) WITH CHECK (object_id IN (SELECT object_id FROM objects));
CREATE POLICY ipcaudit_collector_own ON sem_states TO ipcaudit_collector
    USING (object_id IN (SELECT object_id FROM objects)) WITH CHECK (object_id IN (SELECT object_id FROM objects));
CREATE POLICY ipcaudit_collector_own ON msg_states TO ipcaudit_collector
    USING (object_id IN (SELECT object_id FROM objects)) WITH CHECK (object_id IN (SELECT object_id FROM objects));
-- Schema 6 and 8: per context like processes and objects; POSIX states and snapshot rows through their parent.
CREATE POLICY ipcaudit_collector_own ON gone_processes TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON account_names TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON posix_objects TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
CREATE POLICY ipcaudit_collector_own ON posix_states TO ipcaudit_collector
    USING (posix_object_id IN (SELECT posix_object_id FROM posix_objects))
    WITH CHECK (posix_object_id IN (SELECT posix_object_id FROM posix_objects));
CREATE POLICY ipcaudit_collector_own ON posix_snapshot TO ipcaudit_collector
    USING (snapshot_id IN (SELECT snapshot_id FROM snapshots)) WITH CHECK (snapshot_id IN (SELECT snapshot_id FROM snapshots));
-- Schema 10: per context, like objects.
CREATE POLICY ipcaudit_collector_own ON msg_totals TO ipcaudit_collector
    USING (ipcaudit_own_context(context_id)) WITH CHECK (ipcaudit_own_context(context_id));
