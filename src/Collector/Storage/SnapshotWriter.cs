using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Collector.Storage;

/// <summary>
/// Writes one snapshot inside the caller's transaction, storing changes only: an object whose
/// state fingerprint equals its open state's adds no row. Steps that failed leave that kind's
/// history untouched (nothing is closed on missing data).
/// </summary>
internal sealed class SnapshotWriter(SqliteConnection connection, SqliteTransaction transaction, string path,
    Func<IReadOnlyCollection<int>, IReadOnlyList<ProcessInfo>>? processesOf = null)
{
    /// <summary>Objects this snapshot removed, by kind: their last users are checked for life (see LastUsersOfRemoved).</summary>
    private readonly List<(string Kind, long ObjectId)> _removed = [];

    public const string ObjectsStepShm = "shm";
    public const string ObjectsStepSem = "sem";
    public const string ObjectsStepMsg = "msg";
    public const string ProcessesStep = "processes";

    public long Write(Snapshot snapshot, string? snapshotUid = null)
    {
        var at = UnixTime.Ms(snapshot.TakenAt);
        var context = UpsertContext(snapshot.Host);
        using (var latest = Prepare(StoreSql.LatestSnapshotTime))
        {
            if (latest.Bind(context).ScalarOrNull() is { } last && at <= last)
                throw new IpcAuditException(
                    $"{path}: snapshot time {snapshot.TakenAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} is not after the latest stored for host {snapshot.Host.Host} in this boot and namespace ({UnixTime.FromMs(last).UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}); snapshots of one host are stored in time order{(last > UnixTime.Ms(DateTimeOffset.UtcNow) ? " (that one is stamped in the future: find it with `ipcaudit snapshots` and delete it with `ipcaudit prune --snapshot ID`)" : "")}",
                    ExitCodes.BadInput);
        }

        var limits = UpsertLimits(snapshot.Limits);
        long snapshotId;
        using (var insert = Prepare(StoreSql.InsertSnapshot))
        {
            var u = snapshot.Usage;
            snapshotId = insert.Bind(snapshotUid ?? Guid.NewGuid().ToString("N"), context, at, snapshot.CollectorVersion,
                Migrations.Latest, limits, snapshot.Shm.Count, snapshot.Sem.Count, snapshot.Msg.Count,
                u.ShmSegments, u.ShmPagesAllocated, u.ShmPagesResident, u.ShmPagesSwapped,
                u.SemArrays, u.SemSemaphores, u.MsgQueues, u.MsgMessages, u.MsgBytes,
                CompactJson.Strings(snapshot.Notes)).Scalar();
        }
        using (var step = Prepare(StoreSql.InsertStep))
        {
            for (var i = 0; i < snapshot.Steps.Count; i++)
            {
                var s = snapshot.Steps[i];
                step.Bind(snapshotId, s.Name, i, (long)(s.Duration.Ticks / 10), s.Succeeded, s.Note).Run();
            }
        }

        if (snapshot.StepSucceeded(ObjectsStepShm)) Sync(ShmKind.Instance, snapshot.Shm, context, at);
        if (snapshot.StepSucceeded(ObjectsStepSem)) Sync(SemKind.Instance, snapshot.Sem, context, at);
        if (snapshot.StepSucceeded(ObjectsStepMsg)) Sync(MsgKind.Instance, snapshot.Msg, context, at);
        if (snapshot.StepSucceeded(ProcessesStep))
            SyncProcesses([.. snapshot.Processes, .. LastUsersOfRemoved(snapshot.Processes, at)], context, at);
        return snapshotId;
    }

    private long UpsertContext(HostIdentity h)
    {
        using var upsert = Prepare(StoreSql.UpsertContext);
        var key = string.Join('|', h.Host, h.MachineId, h.BootId, h.IpcNamespace);
        return upsert.Bind(key, h.Host, h.MachineId, h.BootId, h.Kernel, h.IpcNamespace, h.PageSize).Scalar();
    }

    private long UpsertLimits(IpcLimits l)
    {
        string?[] values =
        [
            l.Shmmax?.ToString(), l.Shmall?.ToString(), l.Shmmni?.ToString(), l.ShmRmidForced?.ToString(),
            l.Semmsl?.ToString(), l.Semmns?.ToString(), l.Semopm?.ToString(), l.Semmni?.ToString(),
            l.Msgmax?.ToString(), l.Msgmnb?.ToString(), l.Msgmni?.ToString(),
        ];
        using var upsert = Prepare(StoreSql.UpsertLimitSet);
        object?[] args = [string.Join('|', values.Select(v => v ?? "-")), .. values];
        return upsert.Bind(args).Scalar();
    }

    // A class, not a struct: Dictionary<int, reference type> runs on precompiled shared code, while an
    // instantiation over our own struct is JIT-compiled at every start.
    private sealed record OpenState(long ObjectId, long? CreatorPid, long? Shape, long ValidFrom, long Fingerprint);

    private void Sync<T>(ObjectKind<T> kind, IReadOnlyList<T> objects, long context, long at)
    {
        var open = new Dictionary<int, OpenState>();
        using (var query = Prepare(StoreSql.OpenStates(kind.Name)))
        using (var reader = query.Bind(context).Query())
        {
            while (reader.Read())
                open[reader.GetInt32(1)] = new OpenState(reader.GetInt64(0),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5));
        }

        using var insertObject = Prepare(StoreSql.InsertObject);
        using var insertState = Prepare(kind.InsertStateSql);
        using var closeState = Prepare(StoreSql.CloseState(kind.Name));
        using var removeObject = Prepare(StoreSql.RemoveObject);
        foreach (var o in objects)
        {
            var fingerprint = kind.Fingerprint(o);
            long objectId;
            if (open.Remove(kind.Id(o), out var prev) && prev.CreatorPid == kind.CreatorPid(o) && prev.Shape == kind.Shape(o))
            {
                if (prev.Fingerprint == fingerprint) continue;
                closeState.Bind(at, prev.ObjectId, prev.ValidFrom).Run();
                objectId = prev.ObjectId;
            }
            else
            {
                // Same id but another creator or size: the old object is gone and a new one reuses its id.
                if (prev is not null) Remove(prev);
                objectId = insertObject.Bind(context, kind.Name, kind.Id(o), kind.Key(o), UnixTime.Ms(kind.Ctime(o)) ?? 0,
                    kind.CreatorPid(o), kind.Shape(o), at).Scalar();
            }
            object?[] values = [objectId, at, fingerprint, .. kind.StateValues(o)];
            insertState.Bind(values).Run();
        }
        foreach (var gone in open.Values) Remove(gone);

        void Remove(OpenState s)
        {
            closeState.Bind(at, s.ObjectId, s.ValidFrom).Run();
            removeObject.Bind(at, s.ObjectId).Run();
            _removed.Add((kind.Name, s.ObjectId));
        }
    }

    /// <summary>
    /// The processes that used an object this snapshot removed and are still alive. They are no
    /// longer referenced by any object, so without this their history would end exactly when the
    /// object vanished, and "removed under a live user" (systemd-logind RemoveIPC=yes) could never be
    /// seen. Stored for this snapshot only: at the next one nothing references them and they close.
    /// </summary>
    private IReadOnlyList<ProcessInfo> LastUsersOfRemoved(IReadOnlyList<ProcessInfo> known, long at)
    {
        if (processesOf is null || _removed.Count == 0) return [];
        var pids = new HashSet<int>();
        using var shm = Prepare(StoreSql.RemovedShmUsers);
        using var sem = Prepare(StoreSql.RemovedSemUsers);
        using var msg = Prepare(StoreSql.RemovedMsgUsers);
        foreach (var (kind, objectId) in _removed)
        {
            using var r = (kind switch { "shm" => shm, "sem" => sem, _ => msg }).Bind(objectId, at).Query();
            while (r.Read())
                for (var i = 0; i < r.FieldCount; i++)
                {
                    if (r.IsDBNull(i)) continue;
                    if (r.GetFieldType(i) == typeof(string))
                        pids.UnionWith(kind == "sem"
                            ? (CompactJson.ParseSemaphores(r.GetString(i)) ?? []).Select(v => v.Pid)
                            : CompactJson.ParsePids(r.GetString(i)) ?? []);
                    else pids.Add(r.GetInt32(i));
                }
        }
        pids.Remove(0);
        foreach (var p in known) pids.Remove(p.Pid);
        return pids.Count == 0 ? [] : processesOf(pids).Where(p => p.Alive).ToList();
    }

    /// <summary>
    /// btime in /proc/stat is now minus uptime, so a process's absolute start time can move by a
    /// second between snapshots: the same pid within this tolerance is the same process.
    /// </summary>
    private const long StartTimeToleranceMs = 2000;

    private void SyncProcesses(IReadOnlyList<ProcessInfo> processes, long context, long at)
    {
        var open = new Dictionary<int, List<(long Start, long From)>>();
        using (var query = Prepare(StoreSql.OpenProcesses))
        using (var reader = query.Bind(context).Query())
        {
            while (reader.Read())
            {
                var pid = reader.GetInt32(0);
                if (!open.TryGetValue(pid, out var rows)) open[pid] = rows = [];
                rows.Add((reader.GetInt64(1), reader.GetInt64(2)));
            }
        }
        using var insert = Prepare(StoreSql.InsertProcess);
        foreach (var p in processes)
        {
            if (!p.Alive || p.StartTime is not { } start) continue;
            var startMs = UnixTime.Ms(start);
            if (open.TryGetValue(p.Pid, out var rows))
            {
                var match = rows.FindIndex(r => Math.Abs(r.Start - startMs) <= StartTimeToleranceMs);
                if (match >= 0) { rows.RemoveAt(match); continue; }
            }
            insert.Bind(context, p.Pid, startMs, at, p.Comm, p.Cmdline, p.Uid).Run();
        }
        using var close = Prepare(StoreSql.CloseProcess);
        foreach (var (pid, rows) in open)
            foreach (var (start, from) in rows) close.Bind(at, context, pid, start, from).Run();
    }

    private Statement Prepare(string sql) => new(connection, transaction, sql);
}
