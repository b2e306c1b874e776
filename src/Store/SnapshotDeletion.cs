namespace IpcAudit.Store;

public sealed record DeletionResult(IReadOnlyList<long> Deleted, IReadOnlyList<long> NotFound);

/// <summary>
/// Deletes chosen snapshots (one stamped in the future, a bad import) and keeps history consistent.
/// A state row means "valid at every snapshot of its context in [valid_from, valid_to)"; taking
/// snapshot S (time t) out of that timeline moves whatever started or ended at t to the next
/// snapshot N of the same context, or reopens it when S was the newest, so every remaining
/// snapshot reads back exactly as before and the next collect continues from the one before S.
/// </summary>
public static class SnapshotDeletion
{
    /// <param name="cancel">Stops at the next statement; nothing is deleted then (one transaction).</param>
    public static DeletionResult Delete(string path, IReadOnlyCollection<long> snapshotIds, CancellationToken cancel = default)
    {
        using var store = SnapshotStore.OpenForWrite(path);
        using var interrupt = cancel.InterruptOn(store.Connection);
        var deleted = new List<long>();
        var notFound = new List<long>();
        store.Run(tx =>
        {
            foreach (var id in snapshotIds.Distinct())
            {
                using var find = new Statement(store.Connection, tx, DeletionSql.Snapshot);
                using var r = find.Bind(id).Query();
                if (!r.Read()) { notFound.Add(id); continue; }
                var (context, at) = (r.GetInt64(0), r.GetInt64(1));
                r.Close();
                using var next = new Statement(store.Connection, tx, DeletionSql.NextInContext);
                var following = next.Bind(context, at).ScalarOrNull();
                foreach (var sql in DeletionSql.Unlink)
                {
                    cancel.ThrowIfCancellationRequested();
                    // Named, not positional: $next comes first in some of these statements.
                    using var command = store.Connection.CreateCommand();
                    command.Transaction = tx;
                    command.CommandText = sql;
                    command.Parameters.AddWithValue("$context", context);
                    command.Parameters.AddWithValue("$at", at);
                    command.Parameters.AddWithValue("$next", following is { } n ? n : DBNull.Value);
                    command.ExecuteNonQuery();
                }
                using (var steps = new Statement(store.Connection, tx, "DELETE FROM snapshot_steps WHERE snapshot_id = $id")) steps.Bind(id).Run();
                using (var snap = new Statement(store.Connection, tx, "DELETE FROM snapshots WHERE snapshot_id = $id")) snap.Bind(id).Run();
                deleted.Add(id);
            }
            IpcAuditDatabase.Execute(store.Connection, DeletionSql.Unreferenced, tx);
            return 0;
        });
        IpcAuditDatabase.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return new DeletionResult(deleted, notFound);
    }
}
