using System.Reflection;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Collector.Storage;

/// <summary>
/// Numbered scripts from schema/, embedded in this assembly, applied in order in one transaction
/// and journaled in schema_migrations. A shipped script is never edited: add the next number.
/// </summary>
public static class Migrations
{
    private static readonly IReadOnlyList<(int Version, string Name, string Sql)> Scripts = Load();

    public static int Latest => Scripts[^1].Version;

    public static long CurrentVersion(SqliteConnection connection) => IpcAuditDatabase.Scalar(connection, "PRAGMA user_version;");

    public static void Apply(SqliteConnection connection, string path)
    {
        var current = CurrentVersion(connection);
        if (current > Latest) throw IpcAuditDatabase.NewerSchema(path, current);
        if (current == Latest) return;

        using var tx = connection.BeginTransaction(deferred: false);
        // Re-read under the write lock: a concurrent collector may have migrated meanwhile.
        current = IpcAuditDatabase.Scalar(connection, "PRAGMA user_version;", tx);
        if (current < Latest)
        {
            IpcAuditDatabase.Execute(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
                """, tx);
            foreach (var (version, name, sql) in Scripts.Where(s => s.Version > current))
            {
                IpcAuditDatabase.Execute(connection, sql, tx);
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
        tx.Commit();
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(Migrations).Assembly;
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("schema/") && n.EndsWith(".sql")))
        {
            var name = resource["schema/".Length..^".sql".Length];
            var version = int.Parse(name[..name.IndexOf('_')]);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            scripts.Add((version, name, new StreamReader(stream).ReadToEnd()));
        }
        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        if (scripts.Count == 0) throw new InvalidOperationException("no schema/*.sql embedded");
        return scripts;
    }
}
