-- IpcAudit central store (PostgreSQL), schema 7: the twin of schema/0007_namespace_labels.sql.
ALTER TABLE contexts ADD COLUMN namespace_label TEXT;
ALTER TABLE contexts ADD COLUMN ns_runtime TEXT;
ALTER TABLE contexts ADD COLUMN ns_container_id TEXT;
ALTER TABLE contexts ADD COLUMN ns_pod_uid TEXT;
ALTER TABLE contexts ADD COLUMN ns_hostname TEXT;
ALTER TABLE contexts ADD COLUMN ns_command TEXT;
