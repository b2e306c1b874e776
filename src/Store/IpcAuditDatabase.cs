using System.Data.Common;
using IpcAudit.Collector;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Opens an IpcAudit SQLite file. Writers create and migrate it; readers open it read-only and
/// never change it ("strict writing, read any", as sysstat's sadc/sar).
/// </summary>
public static class IpcAuditDatabase
{
    /// <summary>PRAGMA application_id: "IPCA". Tells our file from any other SQLite file.</summary>
    public const int ApplicationId = 0x49504341;

    /// <summary>Why SQLite could not be loaded, or null. The native build needs libe_sqlite3.so beside it.</summary>
    private static readonly string? SqliteMissing = LoadSqlite();

    private static void RequireSqlite()
    {
        if (SqliteMissing is not null) throw new IpcAuditException(SqliteMissing, ExitCodes.Failure);
    }

    private static string? LoadSqlite()
    {
        try
        {
            SQLitePCL.Batteries_V2.Init();
            return null;
        }
        catch (DllNotFoundException)
        {
            // One line instead of a loader stack trace: the administrator copied the executable alone.
            return $"SQLite's library libe_sqlite3.so is not in {AppContext.BaseDirectory.TrimEnd('/')}: install it beside the ipcaudit executable (README: Install and schedule)";
        }
    }

    /// <summary>Opens for writing, creating the file (mode 0600: it holds command lines) and applying migrations.</summary>
    public static SqliteConnection OpenForWrite(string path)
    {
        RequireSqlite();
        var full = Path.GetFullPath(path);
        CreateIfMissing(full);
        var connection = Open(full, SqliteOpenMode.ReadWrite);
        try
        {
            // Identity first: switching to WAL rewrites header bytes, and a file that is not ours stays untouched.
            // Checking and creating happen under one write lock (Migrations.Apply), so twenty collectors
            // started on a new path at once see either an empty file or a whole IpcAudit database.
            CheckIdentity(connection, full, allowEmpty: true);
            if (Migrations.Apply(connection, full))
            {
                // A migration may have edited a table definition in place (0004): a fresh connection reads it.
                connection.Dispose();
                connection = Open(full, SqliteOpenMode.ReadWrite);
            }
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(e, full, writing: true);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing database read-only; refuses files that are not ours or are newer than us.</summary>
    public static SqliteConnection OpenForRead(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new IpcAuditException($"{full}: no such database (run `ipcaudit collect` first, or pass --db)", ExitCodes.Failure);
        SqliteConnection connection;
        try { connection = ReadOnlyDatabase.Open(full, out _); }
        catch (SqliteException e) { throw Translate(e, full); }
        try
        {
            CheckIdentity(connection, full, allowEmpty: false);
            var version = Migrations.CurrentVersion(connection);
            if (version > Migrations.Latest)
                throw NewerSchema(full, version);
            if (version < Migrations.Latest)
                throw new IpcAuditException(
                    $"{full}: schema {version} is older than this ipcaudit's {Migrations.Latest}; upgrade it with `ipcaudit collect --db {full}` or `ipcaudit merge --db NEW.db {full}`",
                    ExitCodes.BadDatabase);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal static IpcAuditException NewerSchema(string path, long version) => new(
        $"{path}: written by a newer ipcaudit (schema {version}; this one knows up to {Migrations.Latest}); upgrade ipcaudit to read it",
        ExitCodes.BadDatabase);

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        RequireSqlite();
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            // Two collectors started by cron at once queue on the write lock instead of failing.
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 30000;");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(e, path);
        }
    }

    private static void CreateIfMissing(string path)
    {
        if (File.Exists(path)) return;
        try
        {
            var dir = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(dir))
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                               | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            // Create the empty file ourselves so it is born 0600; SQLite gives -wal/-shm the same mode.
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path)) { /* another collector created it first */ }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IpcAuditException($"{path}: cannot create database: {e.Message}", ExitCodes.Failure, e);
        }
    }

    /// <summary>The tables every IpcAudit database has had since schema 1; one missing is a damaged file.</summary>
    private static readonly string[] Tables =
        ["contexts", "limit_sets", "snapshots", "snapshot_steps", "objects", "shm_states", "sem_states", "msg_states", "processes", "schema_migrations"];

    /// <summary>
    /// Ours, empty (when <paramref name="allowEmpty"/>), or refused with exit 4. Everything is read in one
    /// statement, so one consistent state of the file: a collector creating it meanwhile is seen before or after.
    /// </summary>
    internal static void CheckIdentity(SqliteConnection connection, string path, bool allowEmpty, SqliteTransaction? tx = null)
    {
        long appId, tables, version, journaled, present;
        try
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"""
                SELECT (SELECT application_id FROM pragma_application_id),
                       (SELECT count(*) FROM sqlite_schema),
                       (SELECT user_version FROM pragma_user_version),
                       (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ({string.Join(", ", Tables.Select(t => $"'{t}'"))}))
                """;
            using (var r = command.ExecuteReader())
            {
                r.Read();
                (appId, tables, version, present) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
            }
            journaled = present == Tables.Length ? Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations;", tx) : 0;
        }
        catch (SqliteException e)
        {
            throw Translate(e, path);
        }
        if (appId == 0 && tables == 0 && allowEmpty) return;
        if (appId == 0 && tables == 0)
            throw new IpcAuditException($"{path}: empty database, no snapshots yet (run `ipcaudit collect --db {path}`)", ExitCodes.BadDatabase);
        if (appId != ApplicationId)
            throw new IpcAuditException($"{path}: not an IpcAudit database (it is a SQLite file of something else); nothing was changed", ExitCodes.BadDatabase);
        // Ours by its id, so whatever does not add up was damaged (or edited by hand): never migrate or read it.
        if (version == 0) throw CorruptOrForeign(path, "it has IpcAudit's id but no schema version");
        if (present != Tables.Length) throw CorruptOrForeign(path, $"{Tables.Length - present} of its tables are missing");
        if (version > Migrations.Latest) return; // newer: the caller says so
        if (journaled != version)
            throw CorruptOrForeign(path, $"its schema version {version} disagrees with its migration journal ({journaled})");
    }

    /// <summary>The one message for a file that claims to be ours but does not add up: exit 4, nothing changed.</summary>
    public static IpcAuditException CorruptOrForeign(string path, string detail, Exception? inner = null) => new(
        $"{path}: not an IpcAudit database, or a corrupt one ({detail}); nothing was changed", ExitCodes.BadDatabase, inner);

    /// <summary>
    /// For readers: PRAGMA quick_check (every page's structure, not the cross-checks of integrity_check),
    /// so a report never computes on a damaged file. Measured in docs/BENCHMARKS.md.
    /// </summary>
    public static void QuickCheck(SqliteConnection connection, string path)
    {
        string result;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1);";
            result = Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        catch (SqliteException e)
        {
            throw Translate(e, path);
        }
        if (result != "ok") throw CorruptOrForeign(path, $"quick_check: {result}");
    }

    /// <summary>Turns SQLite's error codes into one line a user can act on.</summary>
    /// <param name="writing">Whether a snapshot (or merge, prune) was being written: only then is "not written" true.</param>
    public static IpcAuditException Translate(SqliteException e, string path, bool writing = false) => e.SqliteErrorCode switch
    {
        26 => new($"{path}: not an IpcAudit database (not a SQLite file, or encrypted); nothing was changed", ExitCodes.BadDatabase, e),
        11 => CorruptOrForeign(path, $"SQLite: {e.Message.TrimEnd('.')}", e),
        13 => new(DiskFull(path, null, writing), ExitCodes.Failure, e),
        14 => new($"{path}: cannot open database (check the directory exists and is writable)", ExitCodes.Failure, e),
        8 => new($"{path}: database is read-only for this user", ExitCodes.Failure, e),
        5 or 6 => new($"{path}: database is locked by another process for more than 30 s", ExitCodes.Failure, e),
        10 when FreeBytes(path) is < 1024 * 1024 and var free => new(DiskFull(path, free, writing), ExitCodes.Failure, e),
        10 => new($"{path}: I/O error ({e.Message.TrimEnd('.')}); existing data is intact", ExitCodes.Failure, e),
        _ => new($"{path}: SQLite error {e.SqliteErrorCode}: {e.Message.TrimEnd('.')}", ExitCodes.Failure, e),
    };

    private static string DiskFull(string path, long? free, bool writing) =>
        $"{path}: disk full{(free is { } f ? $" ({f / 1024} KiB free)" : "")}; "
        + (writing ? "nothing was written and existing data is intact" : "SQLite needs room beside the database even to read it; existing data is intact");

    /// <summary>
    /// SQLite reports ENOSPC on some file systems (tmpfs) as a plain I/O error; the free space of the
    /// file system holding the database tells the user what actually happened.
    /// </summary>
    private static long? FreeBytes(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            var mount = DriveInfo.GetDrives()
                .Where(d => full.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return mount?.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// <paramref name="work"/> in one BEGIN IMMEDIATE transaction, committed. When a write fails for lack
    /// of space or an I/O error, SQLite has already rolled back by itself, yet Microsoft.Data.Sqlite 6
    /// still sends ROLLBACK when the transaction (or later the connection) is disposed, and its
    /// "cannot rollback - no transaction is active" would replace the error the user can act on.
    /// </summary>
    internal static T InTransaction<T>(SqliteConnection connection, Func<SqliteTransaction, T> work)
    {
        var tx = connection.BeginTransaction(deferred: false);
        T result;
        try
        {
            result = work(tx);
            tx.Commit();
        }
        catch
        {
            // SQLite may have rolled back already (disk full): an empty deferred transaction (no lock, no
            // write) gives the object's ROLLBACK something to end. Microsoft.Data.Sqlite 10 may have noticed
            // by itself and completed the object, which then refuses every command: nothing left to end.
            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
            {
                try { Execute(connection, "BEGIN DEFERRED;", tx); }
                catch (InvalidOperationException) { }
            }
            tx.Dispose();
            throw;
        }
        tx.Dispose();
        return result;
    }

    internal static void Execute(DbConnection connection, string sql, DbTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    internal static long Scalar(DbConnection connection, string sql, DbTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }
}
