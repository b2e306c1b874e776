using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Npgsql;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Fleet;

/// <summary>schema/postgresql/least-privilege.sql: a collector's credentials reach its own host's rows only; a reader changes nothing.</summary>
public sealed class LeastPrivilegeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestPostgres? _pg = TestPostgres.Server is null ? null : new TestPostgres();
    private TestPostgres Pg => _pg ?? throw new InvalidOperationException("IPCAUDIT_TEST_PG is not set");
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        if (_pg is not null)
        {
            _pg.Dispose();
            foreach (var role in new[] { Collector, Reviewer })
                try { new TestPostgresAdmin().Execute($"DROP ROLE IF EXISTS {role}"); } catch (NpgsqlException) { }
        }
        _dir.Dispose();
    }

    private string Collector => "collector_web1_" + _suffix;
    private string Reviewer => "reviewer_" + _suffix;

    private string Spool(string host, params int[] minutes)
    {
        var db = _dir.File(host + ".db");
        using var store = SnapshotStore.OpenForWrite(db);
        foreach (var m in minutes)
        {
            var s = Build(T0.AddMinutes(m), shm: [Shm(1)], sem: [Sem(2, value: m)], msg: [Msg(3)], host: Host(host));
            store.Save(() => s);
        }
        return db;
    }

    /// <summary>The role over TCP with its password from a passfile (mode 0600), as a collector host would have it.</summary>
    private string As(string role, string password)
    {
        var passfile = _dir.File(role + ".pgpass");
        File.WriteAllText(passfile, $"*:*:*:{role}:{password}\n");
        File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return $"postgresql://{role}@127.0.0.1:{Pg.Builder.Port}/{Pg.Database}?passfile={Uri.EscapeDataString(passfile)}";
    }

    [PostgresFact]
    public void ACollectorReadsAndChangesOnlyItsOwnHost()
    {
        var web1 = Spool("web1", 0, 5);
        var web2 = Spool("web2", 0, 5);
        Assert.Equal(0, CliRun.Of("ship", "--db", web1, "--to", Pg.Uri).ExitCode);
        Assert.Equal(0, CliRun.Of("ship", "--db", web2, "--to", Pg.Uri).ExitCode);
        Pg.Execute(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "schema", "postgresql", "least-privilege.sql")));
        Pg.Execute($"""
            CREATE ROLE {Collector} LOGIN PASSWORD 'pw-{_suffix}' IN ROLE ipcaudit_collector;
            CREATE ROLE {Reviewer} LOGIN PASSWORD 'rv-{_suffix}' IN ROLE ipcaudit_reader;
            INSERT INTO ipcaudit_host_roles (host, role) VALUES ('web1', '{Collector}');
            """);
        var collector = As(Collector, "pw-" + _suffix);

        using (var c = new NpgsqlConnection(ServerAddress.Parse(collector, commandLine: false)))
        {
            c.Open();
            long Scalar(string sql) => Convert.ToInt64(new NpgsqlCommand(sql, c).ExecuteScalar());
            int Run(string sql) => new NpgsqlCommand(sql, c).ExecuteNonQuery();
            Assert.Equal(2, Scalar("SELECT count(*) FROM snapshots"));
            Assert.Equal(0, Scalar("SELECT count(*) FROM contexts WHERE host = 'web2'"));
            Assert.Equal(Pg.Scalar("SELECT count(*) FROM sem_states s JOIN objects o USING (object_id) JOIN contexts c USING (context_id) WHERE c.host = 'web1'"),
                Scalar("SELECT count(*) FROM sem_states"));
            Assert.Equal(2, Scalar("SELECT count(*) FROM msg_totals"));
            // Another host's rows cannot be changed: invisible to UPDATE, refused to INSERT, and nothing is deleted at all.
            Assert.Equal(0, Run("UPDATE contexts SET kernel = 'x' WHERE host = 'web2'"));
            Assert.Equal(0, Run("UPDATE sem_states SET valid_to = 1 WHERE object_id NOT IN (SELECT object_id FROM objects)"));
            var insert = Assert.Throws<PostgresException>(() => Run("INSERT INTO contexts (natural_key, host, page_size) VALUES ('forged', 'web2', 4096)"));
            Assert.Equal("42501", insert.SqlState);
            Assert.Equal("42501", Assert.Throws<PostgresException>(() => Run("DELETE FROM snapshots")).SqlState);
        }
        Assert.Equal(1, Pg.Scalar("SELECT count(*) FROM contexts WHERE host = 'web2' AND kernel = '6.18.0'"));
        Assert.Equal(0, Pg.Scalar("SELECT count(*) FROM sem_states WHERE valid_to = 1"));

        // Its own host ships; another host's spool shipped with its credentials is refused, nothing of it lands.
        Spool("web1", 10);
        var own = CliRun.Of("ship", "--db", web1, "--to", collector);
        Assert.True(own.ExitCode == 0, own.Stderr);
        Spool("web2", 10);
        var other = CliRun.Of("ship", "--db", web2, "--to", collector);
        Assert.Equal(1, other.ExitCode);
        Assert.Single(other.StderrLines);
        Assert.Equal(3, Pg.Scalar("SELECT count(*) FROM snapshots s JOIN contexts c USING (context_id) WHERE c.host = 'web1'"));
        Assert.Equal(2, Pg.Scalar("SELECT count(*) FROM snapshots s JOIN contexts c USING (context_id) WHERE c.host = 'web2'"));
        Assert.Equal(3, Pg.Scalar("SELECT count(*) FROM msg_totals t JOIN contexts c USING (context_id) WHERE c.host = 'web1'"));

        // The reader sees every host and changes nothing.
        var reviewer = As(Reviewer, "rv-" + _suffix);
        var report = CliRun.Of("report", "--db", reviewer, "--since", "2026-10-31T00:00:00Z", "--until", "2026-11-02T00:00:00Z", "--format", "json");
        Assert.True(report.ExitCode == 0, report.Stderr);
        using (var doc = System.Text.Json.JsonDocument.Parse(report.Stdout))
            Assert.Equal(2, doc.RootElement.GetProperty("window").GetProperty("hosts").GetArrayLength());
        using var r = new NpgsqlConnection(ServerAddress.Parse(reviewer, commandLine: false));
        r.Open();
        Assert.Equal(5L, Convert.ToInt64(new NpgsqlCommand("SELECT count(*) FROM snapshots", r).ExecuteScalar()));
        Assert.Equal("42501", Assert.Throws<PostgresException>(() => new NpgsqlCommand("UPDATE snapshots SET notes = 'x'", r).ExecuteNonQuery()).SqlState);
    }
}

/// <summary>The shared server's superuser, for roles (cluster-wide, so dropped by each test that makes them).</summary>
internal sealed class TestPostgresAdmin
{
    public void Execute(string sql)
    {
        using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestPostgres.Server!) { Pooling = false }.ConnectionString);
        c.Open();
        new NpgsqlCommand(sql, c).ExecuteNonQuery();
    }
}
