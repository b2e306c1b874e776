using System.Data.Common;
using IpcAudit.Collector;

namespace IpcAudit.Store;

public sealed record MergeResult(int SnapshotsAdded, int SnapshotsSkipped);

/// <summary>
/// Copies one database's history into another, SQLite or PostgreSQL: `merge` and `ship` are this copy
/// with two destinations. Everything is matched on natural keys (snapshot uid, context key, object
/// identity, state valid_from), so copying twice adds nothing and copying a source that has grown only
/// adds and extends (a state or object closed since is updated). Per context, only what changed after
/// its watermark is read: the destination's latest snapshot of that context for `ship` (so a steady
/// state ships one snapshot's rows), everything for `merge`. The caller owns the one transaction.
/// </summary>
internal sealed class SnapshotCopy(DbConnection src, DbConnection dst, DbTransaction tx, string sourcePath, CancellationToken cancel)
{
    private readonly Dictionary<long, long> _contexts = [];
    private readonly Dictionary<long, long> _limitSets = [];
    private readonly Dictionary<long, long> _objects = [];
    private readonly Dictionary<long, long> _posixObjects = [];

    /// <summary>The latest source snapshot read (copied or already there): what the destination now holds up to.</summary>
    public long LatestRead { get; private set; } = long.MinValue;

    /// <summary>Copies every context after its watermark (null: everything).</summary>
    public MergeResult Run(Func<string, long?> watermark)
    {
        var keys = new Dictionary<long, string>();
        Map(CopySql.SourceContexts, StoreSql.UpsertContext, _contexts, v => keys[(long)v[0]!] = (string)v[1]!);
        Rows(NamespaceLabelSql.SourceLabels, v => v[6] = _contexts[(long)v[6]!], NamespaceLabelSql.MergeLabel, []);
        Map(CopySql.SourceLimitSets, StoreSql.UpsertLimitSet, _limitSets, _ => { });
        int added = 0, skipped = 0;
        foreach (var (context, key) in keys)
        {
            object?[] scope = [context, watermark(key) ?? long.MinValue];
            var (a, s) = Snapshots(scope);
            (added, skipped) = (added + a, skipped + s);
            MapObjects(scope);
            foreach (var kind in CopySql.Kinds)
                Rows(CopySql.SourceStates(kind), v => v[0] = _objects[(long)v[0]!], CopySql.UpsertState(src, kind), scope);
            Rows(CopySql.SourceProcesses, v => v[0] = _contexts[(long)v[0]!], CopySql.UpsertProcess, scope);
            Rows(CopySql.SourceGone, v => v[0] = _contexts[(long)v[0]!], AttributionSql.MergeGone, scope);
            Rows(CopySql.SourceNames, v => v[0] = _contexts[(long)v[0]!], AttributionSql.MergeName, scope);
            Map(CopySql.SourcePosixObjects, CopySql.UpsertPosixObject, _posixObjects, v => v[1] = _contexts[(long)v[1]!], scope);
            Rows(CopySql.SourcePosixStates, v => v[0] = _posixObjects[(long)v[0]!], CopySql.UpsertRows(src, "posix_states", "posix_object_id, valid_from"), scope);
        }
        return new MergeResult(added, skipped);
    }

    private (int, int) Snapshots(object?[] scope)
    {
        int added = 0, skipped = 0;
        using var exists = new Statement(dst, tx, "SELECT snapshot_id FROM snapshots WHERE snapshot_uid = $uid");
        using var latest = new Statement(dst, tx, StoreSql.LatestSnapshotTime);
        using var insert = new Statement(dst, tx, StoreSql.InsertSnapshot);
        using var step = new RowBatch(dst, tx, StoreSql.InsertStep);
        using var steps = new Statement(src, null, CopySql.SourceSteps);
        using var posix = new Statement(src, null, CopySql.SourcePosixSnapshot);
        using var posixRow = new RowBatch(dst, tx, CopySql.UpsertRows(src, "posix_snapshot", "snapshot_id"));
        using var totals = new Statement(src, null, CopySql.SourceQueueTotals);
        using var totalsRow = new RowBatch(dst, tx, CopySql.UpsertRows(src, "msg_totals", "context_id, taken_at, uid"));
        using var query = new Statement(src, null, CopySql.SourceSnapshots);
        using var r = query.Bind(scope).Query();
        while (r.Read())
        {
            cancel.ThrowIfCancellationRequested();
            var v = Values(r);
            var (srcId, uid, srcContext, takenAt) = ((long)v[0]!, (string)v[1]!, (long)v[2]!, (long)v[3]!);
            var context = _contexts[srcContext];
            LatestRead = Math.Max(LatestRead, takenAt);
            if (exists.Bind(uid).ScalarOrNull() is not null) { skipped++; continue; }
            if (latest.Bind(context).ScalarOrNull() is { } last && last >= takenAt)
                throw new IpcAuditException(
                    $"{sourcePath}: its snapshots of one host/boot interleave with ones the target already has from another file; merge each host's history from one source",
                    ExitCodes.BadInput);
            v[2] = context;
            v[6] = v[6] is long limits ? _limitSets[limits] : null;
            var newId = insert.Bind(v.AsSpan(1)).Scalar();
            using var sr = steps.Bind(srcId).Query();
            while (sr.Read()) step.Add([newId, .. Values(sr)]);
            using (var pr = posix.Bind(srcId).Query())
                while (pr.Read()) posixRow.Add([newId, .. Values(pr).AsSpan(1)]);
            using (var tr = totals.Bind(srcContext, takenAt).Query())
                while (tr.Read()) totalsRow.Add([context, .. Values(tr).AsSpan(1)]);
            added++;
        }
        step.Flush();
        posixRow.Flush();
        totalsRow.Flush();
        return (added, skipped);
    }

    /// <summary>Upserts every source row and records source id → target id (the first column).</summary>
    private void Map(string select, string upsert, Dictionary<long, long> ids, Action<object?[]> remap, object?[]? scope = null)
    {
        using var batch = new RowBatch(dst, tx, upsert);
        ForEachRow(select, scope ?? [], v =>
        {
            remap(v);
            var source = (long)v[0]!;
            batch.Add(v.AsSpan(1), id => ids[source] = id);
        });
        batch.Flush();
    }

    /// <summary>
    /// Maps the objects new, removed or given another owner since the watermark by upserting them, and the
    /// others (whose states changed) by finding them among the destination's present objects; one the
    /// destination lacks is upserted after all.
    /// </summary>
    private void MapObjects(object?[] scope)
    {
        var after = (long)scope[1]!;
        static bool Since(object? at, long after) => at is long t && t > after;
        var present = new Dictionary<(string, long, long, long), long>();
        if (after != long.MinValue)
        {
            using var query = new Statement(dst, tx, CopySql.PresentObjects);
            using var r = query.Bind(_contexts[(long)scope[0]!], after).Query();
            while (r.Read()) present[(r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4))] = r.GetInt64(0);
        }
        using var upsert = new RowBatch(dst, tx, CopySql.UpsertObject);
        // Columns of SourceObjects: object_id, context_id, kind, ipc_id, key, first_ctime, creator_pid, shape,
        // first_seen, removed_at, owner_uid, owner_changed_at.
        ForEachRow(CopySql.SourceObjects, scope, v =>
        {
            v[1] = _contexts[(long)v[1]!];
            var source = (long)v[0]!;
            if (!Since(v[8], after) && !Since(v[9], after) && !Since(v[11], after)
                && present.TryGetValue(((string)v[2]!, Convert.ToInt64(v[3]), Convert.ToInt64(v[5]), Convert.ToInt64(v[8])), out var id))
                _objects[source] = id;
            else upsert.Add(v.AsSpan(1), id => _objects[source] = id);
        });
        upsert.Flush();
    }

    private void Rows(string select, Action<object?[]> remap, string upsert, object?[] scope)
    {
        using var batch = new RowBatch(dst, tx, upsert);
        ForEachRow(select, scope, v =>
        {
            remap(v);
            batch.Add(v);
        });
        batch.Flush();
    }

    private void ForEachRow(string select, object?[] scope, Action<object?[]> row)
    {
        using var query = new Statement(src, null, select);
        using var r = query.Bind(scope).Query();
        while (r.Read())
        {
            cancel.ThrowIfCancellationRequested();
            row(Values(r));
        }
    }

    private static object?[] Values(DbDataReader r)
    {
        var v = new object?[r.FieldCount];
        for (var i = 0; i < v.Length; i++) v[i] = r.IsDBNull(i) ? null : r.GetValue(i);
        return v;
    }
}
