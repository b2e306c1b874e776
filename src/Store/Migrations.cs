using System.Globalization;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Numbered scripts from schema/, embedded in this assembly, applied in order in one transaction
/// and journaled in schema_migrations. A shipped script is never edited: add the next number.
/// </summary>
public static class Migrations
{
    private const string Prefix = "schema/", Suffix = ".sql";

    /// <summary>The embedded script names, sorted by version. Their text is read only when a migration runs.</summary>
    private static readonly List<string> Resources = Index();

    public static int Latest => VersionOf(Resources[^1]);

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
                foreach (var resource in Resources)
                {
                    var version = VersionOf(resource);
                    if (version <= current) continue;
                    var name = resource[Prefix.Length..^Suffix.Length];
                    IpcAuditDatabase.Execute(connection, Read(resource), tx);
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

    private static List<string> Index()
    {
        var resources = new List<string>();
        foreach (var resource in typeof(Migrations).Assembly.GetManifestResourceNames())
            if (resource.StartsWith(Prefix, StringComparison.Ordinal) && resource.EndsWith(Suffix, StringComparison.Ordinal))
                resources.Add(resource);
        if (resources.Count == 0) throw new InvalidOperationException("no schema/*.sql embedded");
        resources.Sort((a, b) => VersionOf(a).CompareTo(VersionOf(b)));
        return resources;
    }

    /// <summary>"schema/0001_initial.sql" → 1.</summary>
    private static int VersionOf(string resource) =>
        int.Parse(resource.AsSpan(Prefix.Length, resource.IndexOf('_') - Prefix.Length), CultureInfo.InvariantCulture);

    private static string Read(string resource)
    {
        using var stream = typeof(Migrations).Assembly.GetManifestResourceStream(resource)!;
        return new StreamReader(stream).ReadToEnd();
    }
}
