using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>The collector's side of the database: it only appends snapshots.</summary>
public sealed class SnapshotStore : IDisposable
{
    private readonly SqliteConnection _connection;

    public string Path { get; }

    private SnapshotStore(SqliteConnection connection, string path) => (_connection, Path) = (connection, path);

    public static SnapshotStore OpenForWrite(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return new SnapshotStore(IpcAuditDatabase.OpenForWrite(full), full);
    }

    /// <summary>
    /// Collects and stores one snapshot as one transaction. The write lock is taken before
    /// <paramref name="collect"/> runs, so two collectors started at once queue and their
    /// snapshot times stay in order; a failure anywhere leaves the database as it was.
    /// </summary>
    /// <param name="processesOf">
    /// Reads process facts for pids: the writer asks it about the last users of objects this snapshot
    /// removed, so a removal under a live process shows in history. Null for imports and tests.
    /// </param>
    public (long SnapshotId, Snapshot Snapshot) Save(Func<Snapshot> collect,
        Func<IReadOnlyCollection<int>, IReadOnlyList<ProcessInfo>>? processesOf = null) => Run(tx =>
    {
        var snapshot = collect();
        return (new SnapshotWriter(_connection, tx, Path, processesOf).Write(snapshot), snapshot);
    });

    /// <summary>
    /// Collects and stores several snapshots (one per IPC namespace) as one transaction, under one write
    /// lock: all are stored or none.
    /// </summary>
    public IReadOnlyList<(long SnapshotId, Snapshot Snapshot)> SaveAll(Func<IReadOnlyList<Snapshot>> collect,
        Func<IReadOnlyCollection<int>, IReadOnlyList<ProcessInfo>>? processesOf = null) => Run(tx =>
    {
        var stored = new List<(long, Snapshot)>();
        foreach (var snapshot in collect())
            stored.Add((new SnapshotWriter(_connection, tx, Path, processesOf).Write(snapshot), snapshot));
        return (IReadOnlyList<(long, Snapshot)>)stored;
    });

    internal T Run<T>(Func<SqliteTransaction, T> work)
    {
        try
        {
            return IpcAuditDatabase.InTransaction(_connection, work);
        }
        catch (SqliteException e)
        {
            throw IpcAuditDatabase.Translate(e, Path, writing: true);
        }
    }

    internal SqliteConnection Connection => _connection;

    public void Dispose() => _connection.Dispose();
}
