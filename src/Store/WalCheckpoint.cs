using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Folds the write-ahead log back into the database and truncates it: after interrupted work the
/// WAL may hold many rolled-back pages, and it is not shrunk until someone checkpoints.
/// </summary>
public static class WalCheckpoint
{
    static WalCheckpoint() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Best effort: false when another process holds the database busy or the file cannot be opened.</summary>
    public static bool Run(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadWrite, Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var r = command.ExecuteReader();
            return r.Read() && r.GetInt64(0) == 0;
        }
        catch (SqliteException) { return false; }
    }

    /// <summary>Makes a cancelled token stop the statement SQLite is running on this connection.</summary>
    public static CancellationTokenRegistration InterruptOn(this CancellationToken cancel, SqliteConnection connection) =>
        cancel.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
}
