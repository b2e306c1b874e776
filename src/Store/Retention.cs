namespace IpcAudit.Store;

public sealed record PruneResult(int SnapshotsDeleted, int StatesDeleted, int ObjectsDeleted, long BytesBefore, long BytesAfter);

/// <summary>
/// Deletes snapshots before a cutoff and every state that ended before it; states still valid at
/// the cutoff stay, because later snapshots are rebuilt from them. Then VACUUM gives the space back.
/// </summary>
public static class Retention
{
    /// <param name="cancel">Stops at the next statement (the running one is interrupted): before the commit nothing is deleted; in VACUUM the deletion stands and the space is not given back.</param>
    /// <param name="committed">Called once the deletion is committed, before VACUUM, so an interrupted caller can say what was done.</param>
    public static PruneResult Prune(string path, DateTimeOffset cutoff, CancellationToken cancel = default, Action<PruneResult>? committed = null)
    {
        using var store = SnapshotStore.OpenForWrite(path);
        using var interrupt = cancel.InterruptOn(store.Connection);
        var before = Size(store.Path);
        var c = UnixTime.Ms(cutoff);
        var (snapshots, states, objects) = store.Run(tx =>
        {
            int Exec(string sql)
            {
                cancel.ThrowIfCancellationRequested();
                using var s = new Statement(store.Connection, tx, sql);
                return s.Bind(c).Run();
            }
            Exec("DELETE FROM snapshot_steps WHERE snapshot_id IN (SELECT snapshot_id FROM snapshots WHERE taken_at < $c)");
            var snaps = Exec("DELETE FROM snapshots WHERE taken_at < $c");
            var st = Exec("DELETE FROM shm_states WHERE valid_to <= $c") + Exec("DELETE FROM sem_states WHERE valid_to <= $c")
                     + Exec("DELETE FROM msg_states WHERE valid_to <= $c") + Exec("DELETE FROM posix_states WHERE valid_to <= $c");
            var objs = Exec("DELETE FROM objects WHERE removed_at <= $c") + Exec("DELETE FROM posix_objects WHERE removed_at <= $c");
            Exec("DELETE FROM processes WHERE valid_to <= $c");
            Exec("DELETE FROM gone_processes WHERE seen_at < $c");
            IpcAuditDatabase.Execute(store.Connection, """
                DELETE FROM limit_sets WHERE limit_set_id NOT IN (SELECT limit_set_id FROM snapshots WHERE limit_set_id IS NOT NULL);
                DELETE FROM contexts WHERE context_id NOT IN (SELECT context_id FROM snapshots)
                                       AND context_id NOT IN (SELECT context_id FROM objects)
                                       AND context_id NOT IN (SELECT context_id FROM processes)
                                       AND context_id NOT IN (SELECT context_id FROM posix_objects);
                """, tx);
            return (snaps, st, objs);
        });
        committed?.Invoke(new PruneResult(snapshots, states, objects, before, before));
        cancel.ThrowIfCancellationRequested();
        IpcAuditDatabase.Execute(store.Connection, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
        return new PruneResult(snapshots, states, objects, before, Size(store.Path));
    }

    private static long Size(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
}
