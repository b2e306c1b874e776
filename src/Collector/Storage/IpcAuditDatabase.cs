using Microsoft.Data.Sqlite;

namespace IpcAudit.Collector.Storage;

/// <summary>
/// Opens an IpcAudit SQLite file. Writers create and migrate it; readers open it read-only and
/// never change it ("strict writing, read any", as sysstat's sadc/sar).
/// </summary>
public static class IpcAuditDatabase
{
    /// <summary>PRAGMA application_id: "IPCA". Tells our file from any other SQLite file.</summary>
    public const int ApplicationId = 0x49504341;

    static IpcAuditDatabase() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Opens for writing, creating the file (mode 0600: it holds command lines) and applying migrations.</summary>
    public static SqliteConnection OpenForWrite(string path)
    {
        var full = Path.GetFullPath(path);
        CreateIfMissing(full);
        var connection = Open(full, SqliteOpenMode.ReadWrite);
        try
        {
            // Identity first: switching to WAL rewrites header bytes, and a file that is not ours stays untouched.
            CheckIdentity(connection, full, allowEmpty: true);
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            Migrations.Apply(connection, full);
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(e, full);
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

    private static void CheckIdentity(SqliteConnection connection, string path, bool allowEmpty)
    {
        long appId, tables;
        try
        {
            appId = Scalar(connection, "PRAGMA application_id;");
            tables = Scalar(connection, "SELECT count(*) FROM sqlite_master;");
        }
        catch (SqliteException e)
        {
            throw Translate(e, path);
        }
        if (appId == ApplicationId) return;
        if (appId == 0 && tables == 0 && allowEmpty) return;
        if (appId == 0 && tables == 0)
            throw new IpcAuditException($"{path}: empty database, no snapshots yet (run `ipcaudit collect --db {path}`)", ExitCodes.BadDatabase);
        throw new IpcAuditException($"{path}: not an IpcAudit database (it is a SQLite file of something else); nothing was changed", ExitCodes.BadDatabase);
    }

    /// <summary>Turns SQLite's error codes into one line a user can act on.</summary>
    public static IpcAuditException Translate(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        26 => new($"{path}: not an IpcAudit database (not a SQLite file, or encrypted); nothing was changed", ExitCodes.BadDatabase, e),
        11 => new($"{path}: database is corrupt ({e.Message.TrimEnd('.')}); nothing was changed", ExitCodes.BadDatabase, e),
        13 => new($"{path}: disk full; the snapshot was not written and existing data is intact", ExitCodes.Failure, e),
        14 => new($"{path}: cannot open database (check the directory exists and is writable)", ExitCodes.Failure, e),
        8 => new($"{path}: database is read-only for this user", ExitCodes.Failure, e),
        5 or 6 => new($"{path}: database is locked by another process for more than 30 s", ExitCodes.Failure, e),
        10 when FreeBytes(path) is < 1024 * 1024 and var free =>
            new($"{path}: disk full ({free / 1024} KiB free); the snapshot was not written and existing data is intact", ExitCodes.Failure, e),
        10 => new($"{path}: I/O error ({e.Message.TrimEnd('.')}); existing data is intact", ExitCodes.Failure, e),
        _ => new($"{path}: SQLite error {e.SqliteErrorCode}: {e.Message.TrimEnd('.')}", ExitCodes.Failure, e),
    };

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

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    internal static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }
}
