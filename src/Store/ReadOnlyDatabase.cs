using IpcAudit.Collector;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// The readers' open (report, show, snapshots, diff). A plain read-only open of a WAL database
/// still needs to create or write its -shm file, so a fleet file handed to reviewers on a read-only
/// mount, or readable but not writable by them, fails with "cannot open". Then the file is opened
/// immutable (SQLite reads it as a plain file, no locks, no WAL) — correct as long as no WAL holds
/// changes that are not yet in the main file, which is checked first.
/// </summary>
public static class ReadOnlyDatabase
{
    static ReadOnlyDatabase() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Whether the last fallback was taken, for -v.</summary>
    public static SqliteConnection Open(string full, out bool immutable)
    {
        immutable = false;
        var connection = Connect($"Data Source={Quote(full)};Mode=ReadOnly;Pooling=False;Default Timeout=30");
        try
        {
            IpcAuditDatabase.Execute(connection, "PRAGMA busy_timeout = 30000;");
            IpcAuditDatabase.Scalar(connection, "SELECT count(*) FROM sqlite_master;");
            return connection;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 14 or 8)
        {
            connection.Dispose();
            var wal = full + "-wal";
            if (File.Exists(wal) && new FileInfo(wal).Length > 0)
                throw new IpcAuditException(
                    $"{full}: cannot read it from here: its write-ahead log {wal} holds changes and this user or mount cannot open it for reading; on the writer's side run `sqlite3 {full} 'PRAGMA wal_checkpoint(TRUNCATE)'`, or copy the database with its -wal file",
                    ExitCodes.Failure, e);
            immutable = true;
            var uri = "file:" + Uri.EscapeDataString(full).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1";
            return Connect($"Data Source={Quote(uri)};Mode=ReadOnly;Pooling=False");
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw IpcAuditDatabase.Translate(e, full);
        }
    }

    private static SqliteConnection Connect(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
