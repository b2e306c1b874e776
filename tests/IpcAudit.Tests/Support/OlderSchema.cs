using Microsoft.Data.Sqlite;

namespace IpcAudit.Tests.Support;

/// <summary>
/// A history as an older collector left it, for upgrade tests: what each later migration added is taken
/// away again, with its journal rows. A new migration adds its undo here.
/// </summary>
public static class OlderSchema
{
    // Newest first; both engines take the same statements.
    private static readonly (int Version, string Undo)[] Undos =
    [
        (11, "ALTER TABLE snapshots DROP COLUMN processes_ok"),
        (10, "DROP TABLE msg_totals"),
        (9, "ALTER TABLE objects DROP COLUMN owner_uid; ALTER TABLE objects DROP COLUMN owner_changed_at"),
    ];

    /// <summary>The statements that take a server's database back to <paramref name="version"/>.</summary>
    public static string Postgres(int version) => Undo(version);

    /// <summary>What the migrations after <paramref name="version"/> added, taken away, with their journal rows (both engines).</summary>
    private static string Undo(int version) =>
        string.Concat(Undos.Where(u => u.Version > version).Select(u => u.Undo + "; ")) + $"DELETE FROM schema_migrations WHERE version > {version}";

    /// <summary>Takes a SQLite history back to <paramref name="version"/>.</summary>
    public static void Sqlite(string path, int version)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Undo(version) + $"; PRAGMA user_version = {version};";
        command.ExecuteNonQuery();
    }
}
