using System.Net.Sockets;
using IpcAudit.Collector;
using Npgsql;

namespace IpcAudit.Store;

/// <summary>
/// Opens the central PostgreSQL store. Writers (ship) migrate it with schema/postgresql/*.sql, journaled
/// in schema_migrations as the SQLite files are; readers (report, show, snapshots, diff) only check it.
/// A server database with a newer schema is refused, either way, with one line.
/// </summary>
public static class ServerDatabase
{
    private static readonly MigrationScripts Scripts = new("schema/postgresql/");

    public static int Latest => Scripts.Latest;

    /// <summary>Serializes migrations of one database: two collectors shipping to a new server at once.</summary>
    private const long MigrationLock = 0x49504341;

    public static NpgsqlConnection OpenForWrite(string connectionString) => Opened(connectionString, connection =>
    {
        // Up to date, the usual case: nothing more, so a collector role without CREATE rights ships.
        var known = JournalExists(connection) ? Version(connection, null) : 0;
        if (known > Latest) throw NewerSchema(connectionString, known);
        if (known == Latest) return;
        using var tx = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", tx);
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
            """, tx);
        var current = Version(connection, tx);
        if (current > Latest) throw NewerSchema(connectionString, current);
        foreach (var (version, name) in Scripts.After(current))
        {
            // An upgrade derives new tables from the history a server holds (schema 10 reads every queue state):
            // minutes on a fleet's store, not the 30 seconds Npgsql allows a statement by default.
            Execute(connection, Scripts.Read(version), tx, timeoutSeconds: 0);
            using var journal = new Statement(connection, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)");
            journal.Bind(version, name, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Run();
        }
        tx.Commit();
    });

    /// <param name="snapshot">
    /// A snapshot another reader exported (<see cref="ExportSnapshot"/>): this connection then sees exactly
    /// what that one sees, so a report read on several connections reads one moment of the store.
    /// </param>
    public static NpgsqlConnection OpenForRead(string connectionString, string? snapshot = null) => Opened(connectionString, connection =>
    {
        var current = JournalExists(connection) ? Version(connection, null) : 0;
        if (current > Latest) throw NewerSchema(connectionString, current);
        if (current < Latest)
            throw new IpcAuditException(
                $"{ServerAddress.Describe(connectionString)}: schema {current} is older than this ipcaudit's {Latest}; `ipcaudit ship --to` it from an upgraded collector first",
                ExitCodes.BadDatabase);
        // Reports read one consistent state however long they take, while collectors keep shipping: every
        // statement runs in one repeatable-read transaction, rolled back when the connection closes. (Without
        // it each statement would be a transaction of its own and see whatever had been shipped meanwhile.)
        Execute(connection, "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", null);
        // Npgsql begins READ COMMITTED unless told, whatever the session's default.
        connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        if (snapshot is null) return;
        if (!snapshot.All(c => char.IsAsciiHexDigit(c) || c == '-')) throw new ArgumentException($"not a snapshot id: {snapshot}", nameof(snapshot));
        Execute(connection, $"SET TRANSACTION SNAPSHOT '{snapshot}'", null);
    });

    /// <summary>The snapshot of a reader's transaction, for other readers to share (pg_export_snapshot; valid while it stays open).</summary>
    public static string ExportSnapshot(NpgsqlConnection reader)
    {
        using var command = new NpgsqlCommand("SELECT pg_export_snapshot()", reader);
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>A connection that passed <paramref name="check"/>; closed again, with one line, when it did not.</summary>
    private static NpgsqlConnection Opened(string connectionString, Action<NpgsqlConnection> check)
    {
        var connection = Connect(connectionString);
        try
        {
            check(connection);
            return connection;
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw Translate(e, connectionString);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static bool JournalExists(NpgsqlConnection connection) =>
        Scalar(connection, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'") > 0;

    private static long Version(NpgsqlConnection connection, NpgsqlTransaction? tx) =>
        Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations", tx);

    private static IpcAuditException NewerSchema(string connectionString, long version) => new(
        $"{ServerAddress.Describe(connectionString)}: the server's schema {version} is newer than this ipcaudit's {Latest}; upgrade ipcaudit to use it (nothing was changed)",
        ExitCodes.BadDatabase);

    private static NpgsqlConnection Connect(string connectionString)
    {
        NpgsqlConnection connection;
        try { connection = Sources.GetOrAdd(connectionString, DataSource).CreateConnection(); }
        catch (ArgumentException e) { throw Unreachable(e, connectionString); }
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException or ArgumentException)
        {
            connection.Dispose();
            throw Unreachable(e, connectionString);
        }
    }

    /// <summary>One data source per connection string for the life of the process, as Npgsql keeps one pool per string.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NpgsqlDataSource> Sources = new();

    /// <summary>
    /// What every connection of ours asks for. Statements the copy and the report run thousands of times
    /// are prepared on the server after their first uses (Npgsql's automatic preparation, unless the
    /// connection string sets Max Auto Prepare): parsing and planning each row's upsert again was a third
    /// of a backlog's shipping time. And no type catalog is loaded at connect: our tables hold only
    /// built-in types, and that query cost the server 9 ms of every 40 ms a steady-state ship made it work.
    /// </summary>
    private static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return builder.Build();
    }

    /// <summary>One line for a server that cannot be used: unreachable, refused, or wrong credentials.</summary>
    public static IpcAuditException Unreachable(Exception e, string connectionString)
    {
        var why = e is PostgresException pg ? pg.MessageText : (e.InnerException ?? e).Message;
        return new IpcAuditException($"{ServerAddress.Describe(connectionString)}: cannot connect: {why.TrimEnd('.')}", ExitCodes.Failure, e);
    }

    public static IpcAuditException Translate(Exception e, string connectionString) => e switch
    {
        PostgresException pg => new IpcAuditException(
            $"{ServerAddress.Describe(connectionString)}: {pg.SqlState}: {pg.MessageText.TrimEnd('.')}", ExitCodes.Failure, e),
        NpgsqlException { InnerException: TimeoutException } => new IpcAuditException(
            $"{ServerAddress.Describe(connectionString)}: the server did not answer within the command timeout (Command Timeout in the connection string, in seconds)",
            ExitCodes.Failure, e),
        _ => Unreachable(e, connectionString),
    };

    /// <param name="timeoutSeconds">The statement's timeout (0: none); the connection's Command Timeout when null.</param>
    internal static void Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx, int? timeoutSeconds = null)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        if (timeoutSeconds is { } t) command.CommandTimeout = t;
        command.ExecuteNonQuery();
    }

    internal static long Scalar(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }
}
