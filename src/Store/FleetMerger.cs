using IpcAudit.Collector;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

public sealed record MergeResult(int SnapshotsAdded, int SnapshotsSkipped);

/// <summary>
/// Copies another database's history into this one. Everything is matched on natural keys
/// (snapshot uid, context key, object identity, state valid_from), so merging the same source
/// twice adds nothing, and merging a source that has grown since only adds and extends.
/// One source is one transaction.
/// </summary>
public static class FleetMerger
{
    /// <param name="cancel">Stops the copy at the next row or statement; the source's transaction rolls back.</param>
    public static MergeResult Merge(SnapshotStore target, string sourcePath, CancellationToken cancel = default)
    {
        var source = Path.GetFullPath(sourcePath);
        if (source == target.Path)
            throw new IpcAuditException($"{source}: cannot merge a database into itself", ExitCodes.BadInput);
        using var reader = SnapshotReader.Open(source);
        using var interrupt = cancel.InterruptOn(target.Connection);
        return target.Run(tx => new Copy(reader.Connection, target.Connection, tx, source, cancel).Run());
    }

    private sealed class Copy(SqliteConnection src, SqliteConnection dst, SqliteTransaction tx, string sourcePath, CancellationToken cancel)
    {
        private readonly Dictionary<long, long> _contexts = [];
        private readonly Dictionary<long, long> _limitSets = [];
        private readonly Dictionary<long, long> _objects = [];

        public MergeResult Run()
        {
            Map("SELECT context_id, natural_key, host, machine_id, boot_id, kernel, ipc_namespace, page_size, ns_generation, sys_uid_max FROM contexts",
                StoreSql.UpsertContext, _contexts, _ => { });
            if (NamespaceLabelSql.HasLabels(src))
                Rows(NamespaceLabelSql.SourceLabels, v => v[6] = _contexts[(long)v[6]!], NamespaceLabelSql.MergeLabel);
            Map("SELECT limit_set_id, fingerprint, shmmax, shmall, shmmni, shm_rmid_forced, semmsl, semmns, semopm, semmni, msgmax, msgmnb, msgmni FROM limit_sets",
                StoreSql.UpsertLimitSet, _limitSets, _ => { });
            var (added, skipped) = Snapshots();
            Map("SELECT object_id, context_id, kind, ipc_id, key, first_ctime, creator_pid, shape, first_seen, removed_at FROM objects",
                MergeSql.UpsertObject, _objects, v => v[0] = _contexts[(long)v[0]!]);
            foreach (var kind in new[] { "shm", "sem", "msg" })
                Rows($"SELECT * FROM {kind}_states", v => v[0] = _objects[(long)v[0]!], MergeSql.UpsertState(kind, src, kind + "_states"));
            Rows(MergeSql.SourceProcesses, v => v[0] = _contexts[(long)v[0]!], MergeSql.UpsertProcess);
            Rows(AttributionSql.SourceGone, v => v[0] = _contexts[(long)v[0]!], AttributionSql.MergeGone);
            Rows(AttributionSql.SourceNames, v => v[0] = _contexts[(long)v[0]!], AttributionSql.MergeName);
            return new MergeResult(added, skipped);
        }

        private (int, int) Snapshots()
        {
            int added = 0, skipped = 0;
            using var exists = new Statement(dst, tx, "SELECT snapshot_id FROM snapshots WHERE snapshot_uid = $uid");
            using var latest = new Statement(dst, tx, StoreSql.LatestSnapshotTime);
            using var insert = new Statement(dst, tx, StoreSql.InsertSnapshot);
            using var step = new Statement(dst, tx, StoreSql.InsertStep);
            using var query = src.CreateCommand();
            query.CommandText = MergeSql.SourceSnapshots;
            using var r = query.ExecuteReader();
            while (r.Read())
            {
                cancel.ThrowIfCancellationRequested();
                var v = Values(r);
                var (srcId, uid, context, takenAt) = ((long)v[0]!, (string)v[1]!, _contexts[(long)v[2]!], (long)v[3]!);
                if (exists.Bind(uid).ScalarOrNull() is not null) { skipped++; continue; }
                if (latest.Bind(context).ScalarOrNull() is { } last && last >= takenAt)
                    throw new IpcAuditException(
                        $"{sourcePath}: its snapshots of one host/boot interleave with ones the target already has from another file; merge each host's history from one source",
                        ExitCodes.BadInput);
                v[2] = context;
                v[6] = v[6] is long limits ? _limitSets[limits] : null;
                var newId = insert.Bind(v.AsSpan(1)).Scalar();
                using var steps = src.CreateCommand();
                steps.CommandText = "SELECT step, ordinal, duration_us, succeeded, note FROM snapshot_steps WHERE snapshot_id = $id";
                steps.Parameters.AddWithValue("$id", srcId);
                using var sr = steps.ExecuteReader();
                while (sr.Read()) step.Bind([newId, .. Values(sr)]).Run();
                added++;
            }
            return (added, skipped);
        }

        /// <summary>Upserts every source row and records source id → target id.</summary>
        private void Map(string select, string upsert, Dictionary<long, long> ids, Action<object?[]> remap)
        {
            using var statement = new Statement(dst, tx, upsert);
            ForEachRow(select, v =>
            {
                var rest = v[1..];
                remap(rest);
                ids[(long)v[0]!] = statement.Bind(rest).Scalar();
            });
        }

        private void Rows(string select, Action<object?[]> remap, string upsert)
        {
            using var statement = new Statement(dst, tx, upsert);
            ForEachRow(select, v =>
            {
                remap(v);
                statement.Bind(v).Run();
            });
        }

        private void ForEachRow(string select, Action<object?[]> row)
        {
            using var query = src.CreateCommand();
            query.CommandText = select;
            using var r = query.ExecuteReader();
            while (r.Read())
            {
                cancel.ThrowIfCancellationRequested();
                row(Values(r));
            }
        }

        private static object?[] Values(SqliteDataReader r)
        {
            var v = new object?[r.FieldCount];
            for (var i = 0; i < v.Length; i++) v[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            return v;
        }
    }
}
