-- Multiplies the hosts of a central store for the fleet benchmark (bench/fleet-bench.sh --copies N):
-- every host already on the server gets N copies, as if N more fleets had shipped the same history,
-- named HOST-cK. Generating and shipping a history costs minutes per host-week on a 2-core machine;
-- copying rows inside the server costs seconds, so a thousand hosts can be measured at all.
-- The copies are exact: the same snapshots, objects, states and processes, under their own ids, uids
-- and natural keys. Run as the server's superuser (row-level security would confine a collector).
--
--   psql -v copies=99 -f bench/fleet-clone.sql
CREATE OR REPLACE PROCEDURE pg_temp.clone_fleet(copies integer)
LANGUAGE plpgsql AS $$
DECLARE
    c  bigint := (SELECT max(context_id) FROM contexts);
    s  bigint := (SELECT max(snapshot_id) FROM snapshots);
    o  bigint := (SELECT coalesce(max(object_id), 0) FROM objects);
    po bigint := (SELECT coalesce(max(posix_object_id), 0) FROM posix_objects);
BEGIN
    FOR k IN 1..copies LOOP
        INSERT INTO contexts SELECT context_id + k * c, natural_key || '#c' || k, host || '-c' || k, machine_id, boot_id, kernel,
            ipc_namespace, page_size, ns_generation, sys_uid_max, namespace_label, ns_runtime, ns_container_id, ns_pod_uid, ns_hostname, ns_command
            FROM contexts WHERE context_id <= c;
        INSERT INTO snapshots SELECT snapshot_id + k * s, snapshot_uid || '-c' || k, context_id + k * c, taken_at, collector_version,
            schema_version, limit_set_id, shm_count, sem_count, msg_count, shm_segments, shm_pages_allocated, shm_pages_resident,
            shm_pages_swapped, sem_arrays, sem_semaphores, msg_queues, msg_messages, msg_bytes, notes, processes_ok
            FROM snapshots WHERE snapshot_id <= s;
        INSERT INTO snapshot_steps SELECT snapshot_id + k * s, step, ordinal, duration_us, succeeded, note FROM snapshot_steps WHERE snapshot_id <= s;
        INSERT INTO posix_snapshot SELECT snapshot_id + k * s, shm_count, sem_count, mq_count, devshm_bytes, devshm_used_bytes, mq_queues,
            mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default FROM posix_snapshot WHERE snapshot_id <= s;
        INSERT INTO msg_totals SELECT context_id + k * c, taken_at, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity
            FROM msg_totals WHERE context_id <= c;
        INSERT INTO objects SELECT object_id + k * o, context_id + k * c, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen,
            removed_at, owner_uid, owner_changed_at FROM objects WHERE object_id <= o;
        INSERT INTO shm_states SELECT object_id + k * o, valid_from, valid_to, fingerprint, key, mode, uid, gid, cuid, cgid, bytes, nattch,
            cpid, lpid, atime, dtime, ctime, rss_bytes, swap_bytes, attached_pids FROM shm_states WHERE object_id <= o;
        INSERT INTO sem_states SELECT object_id + k * o, valid_from, valid_to, fingerprint, key, mode, uid, gid, cuid, cgid, nsems, otime,
            ctime, semaphores FROM sem_states WHERE object_id <= o;
        INSERT INTO msg_states SELECT object_id + k * o, valid_from, valid_to, fingerprint, key, mode, uid, gid, cuid, cgid, cbytes, qnum,
            qbytes, lspid, lrpid, stime, rtime, ctime FROM msg_states WHERE object_id <= o;
        INSERT INTO processes SELECT context_id + k * c, pid, start_time, valid_from, valid_to, comm, cmdline, uid, start_ticks, ppid,
            parent_start_ticks, exe, exe_dev, exe_ino, cwd, cwd_dev, cwd_ino, cgroup, unit, container_runtime, container_id, pod_uid
            FROM processes WHERE context_id <= c;
        INSERT INTO gone_processes SELECT context_id + k * c, pid, seen_at, comm, unit FROM gone_processes WHERE context_id <= c;
        INSERT INTO account_names SELECT context_id + k * c, kind, id, valid_from, name FROM account_names WHERE context_id <= c;
        INSERT INTO posix_objects SELECT posix_object_id + k * po, context_id + k * c, kind, name, inode, first_ctime, first_seen, removed_at
            FROM posix_objects WHERE posix_object_id <= po;
        INSERT INTO posix_states SELECT posix_object_id + k * po, valid_from, valid_to, fingerprint, uid, gid, mode, bytes, allocated_bytes,
            mtime, ctime, value, deleted, messages, max_messages, message_size, notify_pid, mapped_pids, open_pids
            FROM posix_states WHERE posix_object_id <= po;
        COMMIT;
        RAISE NOTICE 'copy % of % done', k, copies;
    END LOOP;
    PERFORM setval(pg_get_serial_sequence('contexts', 'context_id'), (SELECT max(context_id) FROM contexts));
    PERFORM setval(pg_get_serial_sequence('snapshots', 'snapshot_id'), (SELECT max(snapshot_id) FROM snapshots));
    PERFORM setval(pg_get_serial_sequence('objects', 'object_id'), (SELECT max(object_id) FROM objects));
    PERFORM setval(pg_get_serial_sequence('posix_objects', 'posix_object_id'), (SELECT coalesce(max(posix_object_id), 1) FROM posix_objects));
END $$;
CALL pg_temp.clone_fleet(:copies);
ANALYZE;
