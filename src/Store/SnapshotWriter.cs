using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

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
        var context = UpsertContext(snapshot);
        if (snapshot.Namespace is { } label) NamespaceLabelSql.Store(Prepare, context, label);
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
                Migrations.Latest, limits, CountOf(snapshot, ObjectsStepShm, snapshot.Shm), CountOf(snapshot, ObjectsStepSem, snapshot.Sem),
                CountOf(snapshot, ObjectsStepMsg, snapshot.Msg),
                u.ShmSegments, u.ShmPagesAllocated, u.ShmPagesResident, u.ShmPagesSwapped,
                u.SemArrays, u.SemSemaphores, u.MsgQueues, u.MsgMessages, u.MsgBytes,
                CompactJson.Strings(snapshot.Notes), snapshot.StepSucceeded(ProcessesStep)).Scalar();
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
        new PosixWriter(connection, transaction).Write(snapshot, snapshotId, context, at);
        // The queues valid at this snapshot, per owner (schema 10), whether or not the msg step read them now.
        using (var totals = Prepare(QueueTotalsSql.Write)) totals.Bind(at, context).Run();
        if (snapshot.StepSucceeded(ProcessesStep))
        {
            SyncProcesses([.. snapshot.Processes, .. LastUsersOfRemoved(snapshot.Processes, at)], context, at);
            new AttributionWriter(connection, transaction).WriteGone(snapshot.Processes, context, at);
        }
        new AttributionWriter(connection, transaction).WriteNames(snapshot.AccountNames, context, at);
        return snapshotId;
    }

    /// <summary>A kind's count is known only when its step succeeded: a failed step stores unknown (NULL), never 0.</summary>
    private static int? CountOf<T>(Snapshot snapshot, string step, IReadOnlyList<T> objects) =>
        snapshot.StepSucceeded(step) ? objects.Count : null;

    /// <summary>
    /// The context of this snapshot: host + machine + boot + IPC namespace inode + generation. Inodes are
    /// reused by later namespaces; a namespace is a new generation of the latest context of its inode when
    /// its oldest live process started after that context's last snapshot AND none of that context's
    /// present objects (same kind, id and first ctime) is present now. Either alone is not enough: a
    /// namespace outlives its first processes, and a namespace may hold no objects.
    /// </summary>
    private long UpsertContext(Snapshot snapshot)
    {
        var h = snapshot.Host;
        var generation = 0L;
        using (var latest = Prepare(StoreSql.LatestGeneration))
        using (var r = latest.Bind(h.Host, h.MachineId, h.BootId, h.IpcNamespace).Query())
        {
            if (r.Read())
            {
                var (context, last) = (r.GetInt64(0), r.GetInt64(1));
                generation = last;
                using var lastSnapshot = Prepare(StoreSql.LatestSnapshotTime);
                // A process that started after this snapshot's time says that time is not the clock's (--at):
                // no evidence either way.
                if (snapshot.NamespaceOldestStart is { } oldest && h.IpcNamespace is { } ns && ns != Collector.Proc.NsIpcLink.InitialNamespace
                    && lastSnapshot.Bind(context).ScalarOrNull() is { } lastAt && UnixTime.Ms(oldest) > lastAt
                    && oldest <= snapshot.TakenAt && !AnyStillPresent(context, snapshot))
                    generation++;
            }
        }
        var key = string.Join('|', h.Host, h.MachineId, h.BootId, h.IpcNamespace);
        if (generation > 0) key += "|g" + generation;
        using var upsert = Prepare(StoreSql.UpsertContext);
        return upsert.Bind(key, h.Host, h.MachineId, h.BootId, h.Kernel, h.IpcNamespace, h.PageSize, generation, h.SysUidMax).Scalar();
    }

    /// <summary>Whether an object present at the context's last snapshot is present now; a kind not read now may be.</summary>
    private bool AnyStillPresent(long context, Snapshot snapshot)
    {
        // Strings, not tuples: a HashSet over a tuple is JIT-compiled at every start.
        static string Identity(string kind, long id, long ctime) => $"{kind} {id} {ctime}";
        var now = new HashSet<string>();
        foreach (var o in snapshot.Shm) now.Add(Identity("shm", o.Id, UnixTime.Ms(o.Ctime) ?? 0));
        foreach (var o in snapshot.Sem) now.Add(Identity("sem", o.Id, UnixTime.Ms(o.Ctime) ?? 0));
        foreach (var o in snapshot.Msg) now.Add(Identity("msg", o.Id, UnixTime.Ms(o.Ctime) ?? 0));
        using var present = Prepare(StoreSql.PresentObjects);
        using var r = present.Bind(context).Query();
        while (r.Read())
        {
            var kind = r.GetString(0);
            if (!snapshot.StepSucceeded(kind) || now.Contains(Identity(kind, r.GetInt64(1), r.GetInt64(2)))) return true;
        }
        return false;
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
    private sealed record OpenState(long ObjectId, long? CreatorPid, long? Shape, long ValidFrom, long Fingerprint,
        long Key, long? Ctime, long? LastOperation, long Uid);

    private void Sync<T>(ObjectKind<T> kind, IReadOnlyList<T> objects, long context, long at)
    {
        var open = new Dictionary<int, OpenState>();
        using (var query = Prepare(StoreSql.OpenStates(kind.Name)))
        using (var reader = query.Bind(context).Query())
        {
            while (reader.Read())
                open[reader.GetInt32(1)] = new OpenState(reader.GetInt64(0),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.GetInt64(9));
        }

        using var insertObject = Prepare(StoreSql.InsertObject);
        using var insertState = Prepare(kind.InsertStateSql);
        using var closeState = Prepare(StoreSql.CloseState(kind.Name));
        using var removeObject = Prepare(StoreSql.RemoveObject);
        using var ownerChanged = Prepare(StoreSql.OwnerChanged);
        foreach (var o in objects)
        {
            var fingerprint = kind.Fingerprint(o);
            long objectId;
            if (open.Remove(kind.Id(o), out var prev) && SameObject(kind, prev, o))
            {
                if (prev.Fingerprint == fingerprint) continue;
                closeState.Bind(at, prev.ObjectId, prev.ValidFrom).Run();
                objectId = prev.ObjectId;
                if (prev.Uid != kind.Uid(o)) ownerChanged.Bind(at, objectId).Run();
            }
            else
            {
                // Same id but another creator or size: the old object is gone and a new one reuses its id.
                if (prev is not null) Remove(prev);
                objectId = insertObject.Bind(context, kind.Name, kind.Id(o), kind.Key(o), UnixTime.Ms(kind.Ctime(o)) ?? 0,
                    kind.CreatorPid(o), kind.Shape(o), at, kind.Uid(o)).Scalar();
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
    /// Whether <paramref name="o"/> is the object stored as <paramref name="prev"/> under the same id. Not when
    /// the creator or size differs; nor when the key changed (only a segment's key changes in life, to 0 when
    /// it is marked for removal); nor when ctime moved while every operation time went back to none, which
    /// is a new array or queue under a reused id, not an IPC_SET on the old one.
    /// </summary>
    private static bool SameObject<T>(ObjectKind<T> kind, OpenState prev, T o) =>
        prev.CreatorPid == kind.CreatorPid(o) && prev.Shape == kind.Shape(o)
        && (!kind.KeyIsFixed || prev.Key == kind.Key(o))
        && !(prev.Ctime != UnixTime.Ms(kind.Ctime(o)) && prev.LastOperation is not null && kind.LastOperation(o) is null);

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
    /// For rows without start ticks (schema 1): btime in /proc/stat is now minus uptime, so a process's
    /// absolute start time can move by a second between snapshots; the same pid within this tolerance
    /// is the same process.
    /// </summary>
    private const long StartTimeToleranceMs = 2000;

    private sealed record OpenProcess(long Start, long From, long? Ticks);

    /// <summary>
    /// Opens a span for each live process not already open, matched on (pid, start ticks): a clock step
    /// moves btime and so start_time, never the ticks. Every other open span of the context is checked
    /// against the kernel (when it can be asked): kept while the same process lives, closed when it has
    /// exited or the pid holds another process. A recorded parent stays known alive while it lives.
    /// </summary>
    private void SyncProcesses(IReadOnlyList<ProcessInfo> processes, long context, long at)
    {
        var open = new Dictionary<int, List<OpenProcess>>();
        using (var query = Prepare(StoreSql.OpenProcesses))
        using (var reader = query.Bind(context).Query())
        {
            while (reader.Read())
            {
                var pid = reader.GetInt32(0);
                if (!open.TryGetValue(pid, out var rows)) open[pid] = rows = [];
                rows.Add(new OpenProcess(reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
            }
        }
        using var insert = Prepare(StoreSql.InsertProcess);
        using var identify = Prepare(StoreSql.IdentifyProcess);
        foreach (var p in processes)
        {
            if (!p.Alive || p.StartTime is not { } start) continue;
            if (open.TryGetValue(p.Pid, out var rows))
            {
                var match = rows.FindIndex(r => Same(r, p));
                if (match >= 0)
                {
                    // A schema 1 row learns its ticks and parent, so it survives the next clock step too.
                    if (rows[match].Ticks is null && p.StartTicks is { } ticks)
                        identify.Bind((long)ticks, p.Ppid, (long?)p.ParentStartTicks, context, p.Pid, rows[match].Start, rows[match].From).Run();
                    rows.RemoveAt(match);
                    if (rows.Count == 0) open.Remove(p.Pid);
                    continue;
                }
            }
            insert.Bind(context, p.Pid, UnixTime.Ms(start), at, p.Comm, p.Cmdline, p.Uid,
                (long?)p.StartTicks, p.Ppid, (long?)p.ParentStartTicks,
                p.Exe, (long?)p.ExeFile?.Device, (long?)p.ExeFile?.Inode, p.Cwd, (long?)p.CwdFile?.Device, (long?)p.CwdFile?.Inode,
                p.Cgroup?.Path, p.Cgroup?.Unit, p.Cgroup?.Runtime, p.Cgroup?.ContainerId, p.Cgroup?.PodUid).Run();
        }

        if (processesOf is not null && open.Count > 0)
        {
            var now = processesOf(open.Keys).ToDictionary(p => p.Pid);
            foreach (var pid in open.Keys.ToList())
            {
                if (!now.TryGetValue(pid, out var p) || !p.Alive) continue;
                // Alive but not identifiable (its files closed to us): unknown, so not ended.
                if (p.StartUnknown) { open.Remove(pid); continue; }
                open[pid].RemoveAll(r => Same(r, p));
            }
        }
        using var close = Prepare(StoreSql.CloseProcess);
        foreach (var (pid, rows) in open)
            foreach (var r in rows) close.Bind(at, context, pid, r.Start, r.From).Run();
    }

    private static bool Same(OpenProcess row, ProcessInfo p) =>
        row.Ticks is { } ticks && p.StartTicks is { } now
            ? (ulong)ticks == now
            : p.StartTime is { } start && Math.Abs(row.Start - UnixTime.Ms(start)) <= StartTimeToleranceMs;

    private Statement Prepare(string sql) => new(connection, transaction, sql);
}
