using System.Text.Encodings.Web;
using System.Text.Json;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// `collect --json`: typed JSON (numbers as numbers, times ISO-8601 UTC, null for unknown), with
/// the field names users script against with jq. Written by hand so names and types are exact.
/// </summary>
public static class SnapshotJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keep command lines readable; the writer still escapes what JSON requires.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter writer, Snapshot s)
    {
        using var buffer = new MemoryStream();
        Write(buffer, s);
        writer.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.Flush();
    }

    public static void Write(Stream stream, Snapshot s)
    {
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();
        w.WriteString("host", s.Host.Host);
        w.WriteString("machine_id", s.Host.MachineId);
        w.WriteString("boot_id", s.Host.BootId);
        w.WriteString("kernel", s.Host.Kernel);
        Number(w, "ipc_namespace", s.Host.IpcNamespace);
        w.WriteNumber("page_size", s.Host.PageSize);
        Time(w, "taken_at", s.TakenAt);
        w.WriteString("collector_version", s.CollectorVersion);

        var l = s.Limits;
        w.WriteStartObject("limits");
        Number(w, "shmmax", l.Shmmax); Number(w, "shmall", l.Shmall); Number(w, "shmmni", l.Shmmni);
        Number(w, "shm_rmid_forced", l.ShmRmidForced); Number(w, "semmsl", l.Semmsl); Number(w, "semmns", l.Semmns);
        Number(w, "semopm", l.Semopm); Number(w, "semmni", l.Semmni); Number(w, "msgmax", l.Msgmax);
        Number(w, "msgmnb", l.Msgmnb); Number(w, "msgmni", l.Msgmni);
        w.WriteEndObject();

        var u = s.Usage;
        w.WriteStartObject("usage");
        Number(w, "shm_segments", u.ShmSegments); Number(w, "shm_pages_allocated", u.ShmPagesAllocated);
        Number(w, "shm_pages_resident", u.ShmPagesResident); Number(w, "shm_pages_swapped", u.ShmPagesSwapped);
        Number(w, "sem_arrays", u.SemArrays); Number(w, "sem_semaphores", u.SemSemaphores);
        Number(w, "msg_queues", u.MsgQueues); Number(w, "msg_messages", u.MsgMessages); Number(w, "msg_bytes", u.MsgBytes);
        w.WriteEndObject();

        w.WriteStartArray("shm");
        foreach (var o in s.Shm)
        {
            w.WriteStartObject();
            Common(w, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("bytes", o.Bytes);
            w.WriteNumber("nattch", o.Nattch);
            w.WriteStartArray("status");
            foreach (var flag in IpcMode.ShmStatus(o.Mode)) w.WriteStringValue(flag);
            w.WriteEndArray();
            w.WriteNumber("cpid", o.Cpid);
            w.WriteNumber("lpid", o.Lpid);
            Time(w, "atime", o.Atime); Time(w, "dtime", o.Dtime);
            Number(w, "rss_bytes", o.RssBytes); Number(w, "swap_bytes", o.SwapBytes);
            Ints(w, "attached_pids", o.AttachedPids);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("sem");
        foreach (var o in s.Sem)
        {
            w.WriteStartObject();
            Common(w, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("nsems", o.Nsems);
            Time(w, "otime", o.Otime);
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
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("msg");
        foreach (var o in s.Msg)
        {
            w.WriteStartObject();
            Common(w, o.Id, o.Key, o.Mode, o.Uid, o.Gid, o.Cuid, o.Cgid, o.Ctime);
            w.WriteNumber("cbytes", o.Cbytes); w.WriteNumber("qnum", o.Qnum); Number(w, "qbytes", o.Qbytes);
            w.WriteNumber("lspid", o.Lspid); w.WriteNumber("lrpid", o.Lrpid);
            Time(w, "stime", o.Stime); Time(w, "rtime", o.Rtime);
            if (o.Vanished) w.WriteBoolean("vanished", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("processes");
        foreach (var p in s.Processes)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", p.Pid); w.WriteBoolean("alive", p.Alive);
            w.WriteString("comm", p.Comm); w.WriteString("cmdline", p.Cmdline);
            Number(w, "uid", p.Uid); Time(w, "start_time", p.StartTime);
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
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void Common(Utf8JsonWriter w, int id, uint key, int mode, uint uid, uint gid, uint cuid, uint cgid, DateTimeOffset? ctime)
    {
        w.WriteNumber("id", id);
        w.WriteString("key", IpcMode.FormatKey(key));
        w.WriteString("perms", IpcMode.Perms(mode));
        w.WriteNumber("uid", uid); w.WriteNumber("gid", gid); w.WriteNumber("cuid", cuid); w.WriteNumber("cgid", cgid);
        Time(w, "ctime", ctime);
    }

    /// <summary>ISO-8601 UTC with milliseconds, e.g. 2026-11-21T06:00:00.000Z.</summary>
    public static string IsoTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v) w.WriteString(name, IsoTime(v)); else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, string name, ulong? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    private static void Number(Utf8JsonWriter w, string name, long? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    private static void Number(Utf8JsonWriter w, string name, uint? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }

    private static void Ints(Utf8JsonWriter w, string name, IReadOnlyList<int>? values)
    {
        if (values is null) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
