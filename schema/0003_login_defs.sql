-- IpcAudit store, schema 3: which uids are system accounts on the collected host.
--
-- SYS_UID_MAX from the host's /etc/login.defs (<proc-root>/etc/login.defs for a saved copy), as the
-- collector last read it in this context; NULL when the file or the setting was absent or did not
-- parse. The report tells systemd-logind's RemoveIPC=yes (which never touches a uid at or below it)
-- from other removals, and assumes 999 — and says so — where it is NULL.
ALTER TABLE contexts ADD COLUMN sys_uid_max INTEGER;
