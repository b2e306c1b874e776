using System.Data.Common;
using IpcAudit.Collector.Model;

namespace IpcAudit.Store;

/// <summary>
/// A stored snapshot's POSIX side (schema 8), as `collect --json` printed it: the objects whose states are
/// valid at the snapshot, and its posix_snapshot row. Null when the snapshot collected no POSIX IPC (a saved
/// /proc, another IPC namespace, a database from before schema 8): absent, not empty.
/// </summary>
internal static class PosixReader
{
    public static PosixIpc? Load(DbConnection connection, long snapshotId, long context, long at)
    {
        if (!Dialect.HasTable(connection, "posix_snapshot")) return null;
        PosixIpc? levels = null;
        using (var statement = new Statement(connection, null, PosixSql.SnapshotRow))
        using (var r = statement.Bind(snapshotId).Query())
            if (r.Read())
                levels = new PosixIpc
                {
                    DevshmBytes = Long(r, 0), DevshmUsedBytes = Long(r, 1), MqQueues = Long(r, 2), MqQueuesMax = Long(r, 3),
                    MqMsgMax = Long(r, 4), MqMsgsizeMax = Long(r, 5), MqMsgDefault = Long(r, 6), MqMsgsizeDefault = Long(r, 7),
                };
        if (levels is null) return null;
        var (shm, sem, mq) = (new List<PosixShmObject>(), new List<PosixShmObject>(), new List<PosixQueue>());
        using (var statement = new Statement(connection, null, PosixSql.ObjectsAsOf))
        using (var r = statement.Bind(context, at).Query())
            while (r.Read())
            {
                var kind = r.GetString(0);
                if (kind == PosixKinds.Mq) mq.Add(ReadQueue(r));
                else (kind == PosixKinds.Sem ? sem : shm).Add(ReadFile(r, kind == PosixKinds.Sem));
            }
        // As the collector lists them: by name, byte for byte (not the server's collation), files deleted while mapped last.
        static int Files(PosixShmObject a, PosixShmObject b) =>
            a.Deleted != b.Deleted ? a.Deleted.CompareTo(b.Deleted) : string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : a.Inode.CompareTo(b.Inode);
        shm.Sort(Files);
        sem.Sort(Files);
        mq.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return levels with { Shm = shm, Sem = sem, Mq = mq };
    }

    /// <summary>The object of <paramref name="kind"/> named <paramref name="name"/> present at the snapshot, with its states; null when none.</summary>
    public static PosixObjectHistory? History(DbConnection connection, long context, long at, string kind, string name)
    {
        if (!Dialect.HasTable(connection, "posix_objects")) return null;
        var states = new List<PosixObjectState>();
        (long Id, long FirstSeen, long? RemovedAt)? head = null;
        using var statement = new Statement(connection, null, PosixSql.ObjectHistory);
        using var r = statement.Bind(context, kind, name, at).Query();
        while (r.Read())
        {
            // A name has one object at a time; two would be a store that broke its own identity rule: the newest wins.
            if (head is { } h && h.Id != r.GetInt64(22)) states.Clear();
            head = (r.GetInt64(22), r.GetInt64(20), Long(r, 21));
            states.Add(new PosixObjectState(UnixTime.FromMs(r.GetInt64(18)), UnixTime.FromMs(Long(r, 19)),
                kind == PosixKinds.Mq ? null : ReadFile(r, kind == PosixKinds.Sem), kind == PosixKinds.Mq ? ReadQueue(r) : null));
        }
        return head is { } o ? new PosixObjectHistory(kind, name, UnixTime.FromMs(o.FirstSeen), UnixTime.FromMs(o.RemovedAt), states) : null;
    }

    // Columns of PosixSql.ObjectsAsOf: kind, name, inode, uid, gid, mode, bytes, allocated_bytes, mtime, ctime, value,
    // deleted, messages, max_messages, message_size, notify_pid, mapped_pids, open_pids.
    private static PosixShmObject ReadFile(DbDataReader r, bool semaphore) => new()
    {
        Name = r.GetString(1), IsSemaphore = semaphore, Inode = unchecked((ulong)r.GetInt64(2)),
        Uid = (uint)r.GetInt64(3), Gid = (uint)r.GetInt64(4), Mode = (int)r.GetInt64(5),
        Bytes = Long(r, 6) ?? 0, AllocatedBytes = Long(r, 7) ?? 0,
        Mtime = UnixTime.FromMs(Long(r, 8)), Ctime = UnixTime.FromMs(Long(r, 9)), Value = Long(r, 10), Deleted = r.GetInt64(11) != 0,
        MappedPids = CompactJson.ParsePids(Text(r, 16)), OpenPids = CompactJson.ParsePids(Text(r, 17)),
    };

    private static PosixQueue ReadQueue(DbDataReader r) => new()
    {
        Name = r.GetString(1), Inode = unchecked((ulong)r.GetInt64(2)), Uid = (uint)r.GetInt64(3), Gid = (uint)r.GetInt64(4),
        Mode = (int)r.GetInt64(5), QsizeBytes = Long(r, 6), Mtime = UnixTime.FromMs(Long(r, 8)), Ctime = UnixTime.FromMs(Long(r, 9)),
        Messages = Long(r, 12), MaxMessages = Long(r, 13), MessageSize = Long(r, 14), NotifyPid = (int?)Long(r, 15),
        OpenPids = CompactJson.ParsePids(Text(r, 17)),
    };

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
