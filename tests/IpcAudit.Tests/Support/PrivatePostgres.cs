using Npgsql;

namespace IpcAudit.Tests.Support;

/// <summary>
/// A PostgreSQL server of a test's own, started with tests/pg/start-server, for what the shared one must not
/// suffer: being killed mid-transfer, or TLS with a certificate made in the test. Seconds to start.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private static readonly string Script = Path.Combine(TestPaths.RepoRoot, "tests", "pg", "start-server");
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ipcaudit-pg-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The superuser over the private socket (no password).</summary>
    public string ConnectionString { get; }
    public int Port => new NpgsqlConnectionStringBuilder(ConnectionString).Port;

    public PrivatePostgres(IDictionary<string, string>? env = null)
    {
        var r = BoundedProcess.Run(Script, [_dir], TimeSpan.FromSeconds(90), env);
        if (r.ExitCode != 0) throw new InvalidOperationException($"start-server failed: {r.Stderr}");
        var line = r.Stdout.Trim();
        ConnectionString = line[(line.IndexOf('\'') + 1)..line.LastIndexOf('\'')] + ";Pooling=false";
    }

    /// <summary>A crash as far as clients can tell: every backend gone at once, no clean shutdown (pg_ctl -m immediate).</summary>
    public void Kill() => PgCtl("-m", "immediate", "-w", "stop");

    public void Start() => PgCtl("-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "start");

    private void PgCtl(params string[] args)
    {
        var r = BoundedProcess.Run("runuser", ["-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), .. args],
            TimeSpan.FromSeconds(90));
        if (r.ExitCode != 0) throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)}: {r.Stderr}");
    }

    public void Execute(string sql)
    {
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        new NpgsqlCommand(sql, c).ExecuteNonQuery();
    }

    public long Scalar(string sql, string? database = null)
    {
        using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database ?? "postgres" }.ConnectionString);
        c.Open();
        return Convert.ToInt64(new NpgsqlCommand(sql, c).ExecuteScalar());
    }

    public void Dispose() => BoundedProcess.Run(Script, ["--stop", _dir], TimeSpan.FromSeconds(60));
}
