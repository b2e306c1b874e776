using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Numbered scripts from schema/, embedded in this assembly, applied in order in one transaction
/// and journaled in schema_migrations. A shipped script is never edited: add the next number.
/// </summary>
public static class Migrations
{
    private static readonly MigrationScripts Scripts = new("schema/");

    public static int Latest => Scripts.Latest;

    public static long CurrentVersion(SqliteConnection connection) => IpcAuditDatabase.Scalar(connection, "PRAGMA user_version;");

    /// <summary>Brings the database to <see cref="Latest"/>; true when it changed anything.</summary>
    public static bool Apply(SqliteConnection connection, string path)
    {
        var current = CurrentVersion(connection);
        if (current > Latest) throw IpcAuditDatabase.NewerSchema(path, current);
        if (current == Latest) return false;

        return IpcAuditDatabase.InTransaction(connection, tx =>
        {
            // Re-check under the write lock: a concurrent collector may have created or migrated it meanwhile.
            IpcAuditDatabase.CheckIdentity(connection, path, allowEmpty: true, tx);
            current = IpcAuditDatabase.Scalar(connection, "PRAGMA user_version;", tx);
            if (current > Latest) throw IpcAuditDatabase.NewerSchema(path, current);
            var applied = current < Latest;
            if (applied)
            {
                IpcAuditDatabase.Execute(connection, """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
                    """, tx);
                foreach (var (version, name) in Scripts.After(current))
                {
                    IpcAuditDatabase.Execute(connection, Scripts.Read(version), tx);
                    using var journal = connection.CreateCommand();
                    journal.Transaction = tx;
                    journal.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)";
                    journal.Parameters.AddWithValue("$v", version);
                    journal.Parameters.AddWithValue("$n", name);
                    journal.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    journal.ExecuteNonQuery();
                }
                IpcAuditDatabase.Execute(connection, $"PRAGMA application_id = {IpcAuditDatabase.ApplicationId}; PRAGMA user_version = {Latest};", tx);
            }
            return applied;
        });
    }
}
