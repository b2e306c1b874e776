using System.Text.Json;
using IpcAudit.Collector.Attribution;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// `collect --json`: typed JSON (numbers as numbers, times ISO-8601 UTC, null for unknown), with
/// the field names users script against with jq. Written by hand so names and types are exact.
/// </summary>
public static class SnapshotJson
{
    public static void Write(TextWriter writer, Snapshot s) => TypedJson.Write(writer, w => Write(w, s));

    /// <summary>One snapshot as one object, as before; several (one per IPC namespace) as an array of them.</summary>
    public static void WriteAll(TextWriter writer, IReadOnlyList<Snapshot> snapshots)
    {
        if (snapshots.Count == 1) { Write(writer, snapshots[0]); return; }
        TypedJson.Write(writer, w =>
        {
            w.WriteStartArray();
            foreach (var s in snapshots) Write(w, s);
            w.WriteEndArray();
        });
    }

    private static void Write(Utf8JsonWriter w, Snapshot s)
    {
        var who = new SnapshotAttribution(s);
        w.WriteStartObject();
        w.WriteString("host", s.Host.Host);
        w.WriteString("machine_id", s.Host.MachineId);
        w.WriteString("boot_id", s.Host.BootId);
        w.WriteString("kernel", s.Host.Kernel);
        w.WriteNumberOrNull("ipc_namespace", s.Host.IpcNamespace);
        w.WriteString("namespace_label", s.Namespace?.Text);
        w.WriteNumber("page_size", s.Host.PageSize);
        w.WriteTime("taken_at", s.TakenAt);
        w.WriteString("collector_version", s.CollectorVersion);

        var l = s.Limits;
        w.WriteStartObject("limits");
        w.WriteNumberOrNull("shmmax", l.Shmmax); w.WriteNumberOrNull("shmall", l.Shmall); w.WriteNumberOrNull("shmmni", l.Shmmni);
        w.WriteNumberOrNull("shm_rmid_forced", l.ShmRmidForced); w.WriteNumberOrNull("semmsl", l.Semmsl); w.WriteNumberOrNull("semmns", l.Semmns);
        w.WriteNumberOrNull("semopm", l.Semopm); w.WriteNumberOrNull("semmni", l.Semmni); w.WriteNumberOrNull("msgmax", l.Msgmax);
        w.WriteNumberOrNull("msgmnb", l.Msgmnb); w.WriteNumberOrNull("msgmni", l.Msgmni);
        PosixJson.Limits(w, s.Posix);
        w.WriteEndObject();

        var u = s.Usage;
        w.WriteStartObject("usage");
        w.WriteNumberOrNull("shm_segments", u.ShmSegments); w.WriteNumberOrNull("shm_pages_allocated", u.ShmPagesAllocated);
        w.WriteNumberOrNull("shm_pages_resident", u.ShmPagesResident); w.WriteNumberOrNull("shm_pages_swapped", u.ShmPagesSwapped);
        w.WriteNumberOrNull("sem_arrays", u.SemArrays); w.WriteNumberOrNull("sem_semaphores", u.SemSemaphores);
        w.WriteNumberOrNull("msg_queues", u.MsgQueues); w.WriteNumberOrNull("msg_messages", u.MsgMessages); w.WriteNumberOrNull("msg_bytes", u.MsgBytes);
        PosixJson.Usage(w, s.Posix);
        w.WriteEndObject();

        w.WriteStartArray("shm");
        foreach (var o in s.Shm)
        {
            w.WriteStartObject();
            Common(w, who, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("bytes", o.Bytes);
            w.WriteNumber("nattch", o.Nattch);
            w.WriteStartArray("status");
            foreach (var flag in IpcMode.ShmStatus(o.Mode)) w.WriteStringValue(flag);
            w.WriteEndArray();
            w.WriteNumber("cpid", o.Cpid);
            w.WriteNumber("lpid", o.Lpid);
            w.WriteTime("atime", o.Atime); w.WriteTime("dtime", o.Dtime);
            w.WriteNumberOrNull("rss_bytes", o.RssBytes); w.WriteNumberOrNull("swap_bytes", o.SwapBytes);
            Ints(w, "attached_pids", o.AttachedPids);
            Attributed(w, who.Of("shm", o.Key, SnapshotAttribution.Users(o)));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("sem");
        foreach (var o in s.Sem)
        {
            w.WriteStartObject();
            Common(w, who, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("nsems", o.Nsems);
            w.WriteTime("otime", o.Otime);
            if (o.Semaphores is null) w.WriteNull("semaphores");
            else
            {
                w.WriteStartArray("semaphores");
                foreach (var v in o.Semaphores)
                {
                    w.WriteStartObject();
                    w.WriteNumber("num", v.Num); w.WriteNumber("value", v.Value); w.WriteNumber("ncount", v.Ncount);
                    w.WriteNumber("zcount", v.Zcount); w.WriteNumber("pid", v.Pid);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (o.Vanished) w.WriteBoolean("vanished", true);
            Attributed(w, who.Of("sem", o.Key, SnapshotAttribution.Users(o)));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("msg");
        foreach (var o in s.Msg)
        {
            w.WriteStartObject();
            Common(w, who, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("cbytes", o.Cbytes); w.WriteNumber("qnum", o.Qnum); w.WriteNumberOrNull("qbytes", o.Qbytes);
            w.WriteNumber("lspid", o.Lspid); w.WriteNumber("lrpid", o.Lrpid);
            w.WriteTime("stime", o.Stime); w.WriteTime("rtime", o.Rtime);
            if (o.Vanished) w.WriteBoolean("vanished", true);
            Attributed(w, who.Of("msg", o.Key, SnapshotAttribution.Users(o)));
            w.WriteEndObject();
        }
        w.WriteEndArray();

        PosixJson.Objects(w, s.Posix);

        w.WriteStartArray("processes");
        foreach (var p in s.Processes)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", p.Pid); w.WriteBoolean("alive", p.Alive);
            w.WriteString("comm", p.Comm); w.WriteString("cmdline", p.Cmdline);
            w.WriteNumberOrNull("uid", p.Uid); w.WriteTime("start_time", p.StartTime);
            w.WriteNumberOrNull("start_ticks", p.StartTicks); w.WriteNumberOrNull("ppid", p.Ppid);
            w.WriteNumberOrNull("parent_start_ticks", p.ParentStartTicks);
            w.WriteStringOrNull("exe", p.Exe); w.WriteStringOrNull("cwd", p.Cwd);
            w.WriteStringOrNull("cgroup", p.Cgroup?.Path); w.WriteStringOrNull("unit", p.Cgroup?.Unit);
            w.WriteStringOrNull("container_runtime", p.Cgroup?.Runtime); w.WriteStringOrNull("container_id", p.Cgroup?.ContainerId);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("steps");
        foreach (var st in s.Steps)
        {
            w.WriteStartObject();
            w.WriteString("name", st.Name);
            w.WriteNumber("duration_ms", Math.Round(st.Duration.TotalMilliseconds, 3));
            w.WriteBoolean("succeeded", st.Succeeded);
            w.WriteString("note", st.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (var n in s.Notes) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Common(Utf8JsonWriter w, SnapshotAttribution who, int id, uint key, int mode, uint uid, uint gid, uint cuid, uint cgid,
        DateTimeOffset? ctime)
    {
        w.WriteNumber("id", id);
        w.WriteString("key", IpcMode.FormatKey(key));
        w.WriteString("perms", IpcMode.Perms(mode));
        w.WriteNumber("uid", uid); w.WriteNumber("gid", gid); w.WriteNumber("cuid", cuid); w.WriteNumber("cgid", cgid);
        w.WriteStringOrNull("owner_name", who.UserName(uid)); w.WriteStringOrNull("group_name", who.GroupName(gid));
        w.WriteTime("ctime", ctime);
    }


    /// <summary>application and processes[], as the report's rows name them.</summary>
    private static void Attributed(Utf8JsonWriter w, (string? Application, string? Evidence, IReadOnlyList<ObjectProcess> Processes) a)
    {
        w.WriteStringOrNull("application", a.Application);
        w.WriteStringOrNull("application_evidence", a.Evidence);
        ObjectProcesses(w, a.Processes);
    }

    /// <summary>processes[]: {pid, role, alive, comm, cmdline, exe, unit}, null where unknown (the report's rows too).</summary>
    public static void ObjectProcesses(Utf8JsonWriter w, IReadOnlyList<ObjectProcess> processes)
    {
        w.WriteStartArray("processes");
        foreach (var p in processes)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", p.Pid); w.WriteString("role", p.Role); w.WriteBooleanOrNull("alive", p.Alive);
            w.WriteStringOrNull("comm", p.Comm); w.WriteStringOrNull("cmdline", p.Cmdline);
            w.WriteStringOrNull("exe", p.Exe); w.WriteStringOrNull("unit", p.Unit);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Ints(Utf8JsonWriter w, string name, IReadOnlyList<int>? values)
    {
        if (values is null) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
