using Npgsql;
using Xunit;

namespace IpcAudit.Tests.Support;

/// <summary>
/// A test that needs the PostgreSQL server tests/pg/start-server started (IPCAUDIT_TEST_PG). Skipped
/// where it is not running; under CI (env CI set) never skipped, so a server .ci/run failed to start
/// fails the build instead of hiding every fleet test.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestPostgres.Server is null && !RequiredTool.InCi)
            Skip = "no test PostgreSQL: eval \"$(tests/pg/start-server /tmp/ipcaudit-pg)\" first (CI starts one and never skips)";
    }
}

/// <summary>A database of its own on the shared test server, dropped afterwards; the tests may make roles too.</summary>
public sealed class TestPostgres : IDisposable
{
    /// <summary>The server as tests/pg/start-server printed it: the superuser over the private socket.</summary>
    public static string? Server => Environment.GetEnvironmentVariable("IPCAUDIT_TEST_PG") is { Length: > 0 } s ? s : null;

    public string Database { get; } = "ipcaudit_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Connection string to this test's database as the superuser.</summary>
    public string ConnectionString { get; }

    public NpgsqlConnectionStringBuilder Builder => new(ConnectionString);

    public TestPostgres()
    {
        var server = Server ?? throw new InvalidOperationException(
            "IPCAUDIT_TEST_PG is not set: .ci/run starts the test server with tests/pg/start-server");
        Execute(server, $"CREATE DATABASE {Database}");
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = Database, Pooling = false }.ConnectionString;
    }

    /// <summary>A postgresql:// URI for the command line (the superuser over the socket needs no password).</summary>
    public string Uri
    {
        get
        {
            var b = Builder;
            return $"postgresql://{b.Username}@/{b.Database}?host={System.Uri.EscapeDataString(b.Host!)}&port={b.Port}";
        }
    }

    public void Execute(string sql) => Execute(ConnectionString, sql);

    public long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar());
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try { Execute(Server!, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)"); }
        catch (NpgsqlException) { /* the server-stopped test may leave it down; the CI trap removes the whole data directory */ }
    }
}
