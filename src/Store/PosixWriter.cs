using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Writes a snapshot's POSIX objects inside the snapshot's transaction, changes only: an object whose
/// state (holders included) is unchanged adds no row. A failed step leaves that kind's history open.
/// </summary>
internal sealed class PosixWriter(SqliteConnection connection, SqliteTransaction transaction)
{
    public const string ShmStep = "posix-shm", MqStep = "posix-mq";

    /// <summary>The object kinds, one state shape: what a kind has not is NULL.</summary>
    private sealed record Row(string Name, ulong Inode, DateTimeOffset? FirstCtime, object?[] State);

    public void Write(Snapshot snapshot, long snapshotId, long context, long at)
    {
        if (snapshot.Posix is not { } p) return;
        var shmOk = snapshot.StepSucceeded(ShmStep);
        var mqOk = snapshot.StepSucceeded(MqStep);
        using (var insert = Prepare(PosixSql.InsertSnapshot))
            insert.Bind(snapshotId, shmOk ? p.Shm.Count : null, shmOk ? p.Sem.Count : null, mqOk ? p.Mq.Count : null,
                p.DevshmBytes, p.DevshmUsedBytes, mqOk ? p.MqQueues : null, p.MqQueuesMax, p.MqMsgMax, p.MqMsgsizeMax,
                p.MqMsgDefault, p.MqMsgsizeDefault).Run();
        if (shmOk)
        {
            Sync(PosixKinds.Shm, p.Shm.Select(FileRow).ToList(), context, at);
            Sync(PosixKinds.Sem, p.Sem.Select(FileRow).ToList(), context, at);
        }
        if (mqOk) Sync(PosixKinds.Mq, p.Mq.Select(QueueRow).ToList(), context, at);
    }

    private static Row FileRow(PosixShmObject o) => new(o.Name, o.Inode, o.Ctime,
    [
        (long)o.Uid, (long)o.Gid, (long)o.Mode, o.Bytes, o.AllocatedBytes, UnixTime.Ms(o.Mtime), UnixTime.Ms(o.Ctime),
        o.Value, o.Deleted ? 1L : 0L, null, null, null, null, CompactJson.Pids(o.MappedPids), CompactJson.Pids(o.OpenPids),
    ]);

    private static Row QueueRow(PosixQueue q) => new(q.Name, q.Inode, q.Ctime,
    [
        (long)q.Uid, (long)q.Gid, (long)q.Mode, q.QsizeBytes, null, UnixTime.Ms(q.Mtime), UnixTime.Ms(q.Ctime),
        null, 0L, q.Messages, q.MaxMessages, q.MessageSize, (long?)q.NotifyPid, null, CompactJson.Pids(q.OpenPids),
    ]);

    private static long Fingerprint(object?[] state)
    {
        var f = StateFingerprint.Start();
        foreach (var v in state)
            f = v switch { long l => f.Add((long?)l), string s => f.Add(s), _ => f.Add((long?)null) };
        return f.Value;
    }

    private sealed record Open(long ObjectId, long ValidFrom, long Fingerprint);

    private void Sync(string kind, List<Row> rows, long context, long at)
    {
        var open = new Dictionary<string, Open>(StringComparer.Ordinal);
        using (var query = Prepare(PosixSql.OpenStates))
        using (var r = query.Bind(context, kind).Query())
            while (r.Read())
                open[r.GetString(1) + "\0" + r.GetInt64(2)] = new Open(r.GetInt64(0), r.GetInt64(3), r.GetInt64(4));

        using var insertObject = Prepare(PosixSql.InsertObject);
        using var insertState = Prepare(PosixSql.InsertState);
        using var close = Prepare(PosixSql.CloseState);
        using var remove = Prepare(PosixSql.RemoveObject);
        foreach (var row in rows)
        {
            var fingerprint = Fingerprint(row.State);
            long objectId;
            if (open.Remove(row.Name + "\0" + unchecked((long)row.Inode), out var prev))
            {
                if (prev.Fingerprint == fingerprint) continue;
                close.Bind(at, prev.ObjectId, prev.ValidFrom).Run();
                objectId = prev.ObjectId;
            }
            else objectId = insertObject.Bind(context, kind, row.Name, unchecked((long)row.Inode), UnixTime.Ms(row.FirstCtime), at).Scalar();
            object?[] values = [objectId, at, fingerprint, .. row.State];
            insertState.Bind(values).Run();
        }
        foreach (var gone in open.Values)
        {
            close.Bind(at, gone.ObjectId, gone.ValidFrom).Run();
            remove.Bind(at, gone.ObjectId).Run();
        }
    }

    private Statement Prepare(string sql) => new(connection, transaction, sql);
}
