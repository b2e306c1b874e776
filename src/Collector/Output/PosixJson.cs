using System.Text.Json;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>`collect --json`: the POSIX arrays and the POSIX members of `limits` and `usage`.</summary>
internal static class PosixJson
{
    // Written only when POSIX IPC was collected (a live snapshot); a saved /proc copy's and a stored
    // snapshot's JSON (`show`) stay as they were.
    public static void Limits(Utf8JsonWriter w, PosixIpc? p)
    {
        if (p is null) return;
        w.WriteNumberOrNull("devshm_bytes", p.DevshmBytes);
        w.WriteNumberOrNull("mq_queues_max", p.MqQueuesMax); w.WriteNumberOrNull("mq_msg_max", p.MqMsgMax);
        w.WriteNumberOrNull("mq_msgsize_max", p.MqMsgsizeMax); w.WriteNumberOrNull("mq_msg_default", p.MqMsgDefault);
        w.WriteNumberOrNull("mq_msgsize_default", p.MqMsgsizeDefault);
    }

    public static void Usage(Utf8JsonWriter w, PosixIpc? p)
    {
        if (p is null) return;
        w.WriteNumberOrNull("devshm_used_bytes", p.DevshmUsedBytes);
        w.WriteNumberOrNull("mq_queues", p.MqQueues);
    }

    public static void Objects(Utf8JsonWriter w, PosixIpc? p)
    {
        if (p is null) return;
        Files(w, "posix_shm", p.Shm);
        Files(w, "posix_sem", p.Sem);
        w.WriteStartArray("posix_mq");
        foreach (var q in p.Mq)
        {
            w.WriteStartObject();
            QueueFields(w, q);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Files(Utf8JsonWriter w, string name, IReadOnlyList<PosixShmObject> objects)
    {
        w.WriteStartArray(name);
        foreach (var o in objects)
        {
            w.WriteStartObject();
            FileFields(w, o);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>A posix_shm[] or posix_sem[] item's fields (also `show --object`'s object and each of its states).</summary>
    public static void FileFields(Utf8JsonWriter w, PosixShmObject o)
    {
        w.WriteString("name", o.Name);
        w.WriteNumber("bytes", o.Bytes); w.WriteNumber("allocated_bytes", o.AllocatedBytes);
        w.WriteNumber("uid", o.Uid); w.WriteNumber("gid", o.Gid); w.WriteString("perms", IpcMode.Perms(o.Mode));
        w.WriteTime("mtime", o.Mtime); w.WriteTime("ctime", o.Ctime);
        if (o.IsSemaphore) w.WriteNumberOrNull("value", o.Value);
        if (o.Deleted) w.WriteBoolean("deleted", true);
        Pids(w, "mapped_pids", o.MappedPids);
        Pids(w, "open_pids", o.OpenPids);
    }

    /// <summary>A posix_mq[] item's fields.</summary>
    public static void QueueFields(Utf8JsonWriter w, PosixQueue q)
    {
        w.WriteString("name", q.Name);
        w.WriteNumber("uid", q.Uid); w.WriteNumber("gid", q.Gid); w.WriteString("perms", IpcMode.Perms(q.Mode));
        w.WriteTime("mtime", q.Mtime);
        w.WriteNumberOrNull("messages", q.Messages); w.WriteNumberOrNull("max_messages", q.MaxMessages);
        w.WriteNumberOrNull("message_size", q.MessageSize); w.WriteNumberOrNull("qsize_bytes", q.QsizeBytes);
        w.WriteNumberOrNull("notify_pid", q.NotifyPid);
        Pids(w, "open_pids", q.OpenPids);
    }

    private static void Pids(Utf8JsonWriter w, string name, IReadOnlyList<int>? pids)
    {
        if (pids is null) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        foreach (var p in pids) w.WriteNumberValue(p);
        w.WriteEndArray();
    }
}
