-- IpcAudit store, schema 7: what each IPC namespace is, in words an administrator recognises.
--
-- As root, `collect` stores one snapshot per IPC namespace in use on the host (containers, pods,
-- sandboxes), each in its own context. A context's label is what `report`, `show`, `snapshots` and
-- `diff` print beside the host: 'host' for the initial namespace, else the container runtime and id
-- read from the cgroup paths of the namespace's processes, else the hostname of their UTS namespace,
-- else the command of the namespace's oldest process. Each part is kept too, NULL when unknown. The
-- label is refreshed at every snapshot (a container renamed, a pod restarted in the same namespace);
-- contexts written before schema 7, or from a saved /proc, have NULL and are shown by inode.
ALTER TABLE contexts ADD COLUMN namespace_label TEXT;
ALTER TABLE contexts ADD COLUMN ns_runtime TEXT;        -- docker, podman, containerd, cri-o, kubernetes, lxc
ALTER TABLE contexts ADD COLUMN ns_container_id TEXT;   -- as the cgroup path names it (full id or lxc name)
ALTER TABLE contexts ADD COLUMN ns_pod_uid TEXT;        -- Kubernetes pod uid
ALTER TABLE contexts ADD COLUMN ns_hostname TEXT;       -- uname nodename inside the namespace's UTS namespace
ALTER TABLE contexts ADD COLUMN ns_command TEXT;        -- comm of the namespace's oldest process
