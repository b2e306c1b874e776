using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Npgsql;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Fleet;

/// <summary>A server of the test's own: killed in the middle of a ship, and serving TLS with a CA made here.</summary>
public sealed class ServerFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Spool(int snapshots, int perKind)
    {
        var db = _dir.File("spool.db");
        using var store = SnapshotStore.OpenForWrite(db);
        for (var i = 0; i < snapshots; i++)
        {
            // Every semaphore and queue changes at every snapshot: many state rows to ship.
            var s = Build(T0.AddMinutes(5 * i),
                shm: [.. Enumerable.Range(0, perKind).Select(n => Shm(n))],
                sem: [.. Enumerable.Range(0, perKind).Select(n => Sem(n, value: i))],
                msg: [.. Enumerable.Range(0, perKind).Select(n => Msg(n, qnum: (ulong)i))]);
            store.Save(() => s);
        }
        return db;
    }

    private static string Uri(PrivatePostgres pg, string database) =>
        $"postgresql://postgres@/{database}?host={System.Uri.EscapeDataString(new NpgsqlConnectionStringBuilder(pg.ConnectionString).Host!)}&port={pg.Port}";

    [PostgresFact]
    public void AServerThatDoesNotAnswerInTimeIsOneLine()
    {
        using var pg = new TestPostgres();
        Assert.Equal(0, CliRun.Of("ship", "--db", Spool(2, 1), "--to", pg.Uri).ExitCode);
        // Another session holds the journal locked: the report waits for it past its one-second command timeout.
        using var holder = new NpgsqlConnection(pg.ConnectionString);
        holder.Open();
        using var tx = holder.BeginTransaction();
        new NpgsqlCommand("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE", holder, tx).ExecuteNonQuery();
        var report = CliRun.Of("report", "--db", pg.ConnectionString + ";Command Timeout=1", "--since", "7d");
        Assert.Equal(1, report.ExitCode);
        var line = Assert.Single(report.StderrLines);
        Assert.Contains("did not answer within the command timeout", line);
    }

    [PostgresFact]
    public void AServerKilledMidTransferLosesNothingAndTheNextShipCompletes()
    {
        var spool = Spool(120, 150);
        using var pg = new PrivatePostgres();
        pg.Execute("CREATE DATABASE fleet");
        var server = Uri(pg, "fleet");
        // The schema first (an empty spool ships nothing), then each snapshot's insert slowed down, so the kill
        // below lands inside the transfer on any machine, not after it.
        var empty = _dir.File("empty.db");
        SnapshotStore.OpenForWrite(empty).Dispose();
        Assert.Equal(0, CliRun.Of("ship", "--db", empty, "--to", server).ExitCode);
        using (var setup = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Database = "fleet" }.ConnectionString))
        {
            setup.Open();
            new NpgsqlCommand("""
                CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$;
                CREATE TRIGGER slow_down AFTER INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION slow_down();
                """, setup).ExecuteNonQuery();
        }

        var shipping = Task.Run(() => CliRun.Of("ship", "--db", spool, "--to", server));
        // 120 snapshots at 20 ms each keep the transfer going for 2.4 s at least: the kill lands inside it.
        Thread.Sleep(1500);
        Assert.False(shipping.IsCompleted, "the ship finished before it could be interrupted");
        pg.Kill();
        var failed = shipping.Result;
        Assert.Equal(1, failed.ExitCode);
        Assert.Single(failed.StderrLines);
        Assert.Contains("120 snapshots kept in the local spool", failed.Stderr);

        pg.Start();
        Assert.Equal(0, pg.Scalar("SELECT count(*) FROM snapshots", "fleet"));
        var again = CliRun.Of("ship", "--db", spool, "--to", server);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("120 snapshots shipped", again.Stdout);
        using var local = SnapshotReader.Open(spool);
        foreach (var table in new[] { "snapshots", "snapshot_steps", "objects", "shm_states", "sem_states", "msg_states" })
            Assert.Equal(IpcAuditDatabase.Scalar(local.Connection, $"SELECT count(*) FROM {table}"), pg.Scalar($"SELECT count(*) FROM {table}", "fleet"));
    }

    [PostgresFact]
    public void TlsWithVerifyFullWorksAndAWrongCaIsRefused()
    {
        using var pg = TlsServer("localhost", "DNS:localhost,IP:127.0.0.1", withWrongCa: true, out var url);
        string Server(string ca) => url("verify-full", ca);
        var spool = Spool(2, 3);

        var ok = CliRun.Of("ship", "--db", spool, "--to", Server("ca.crt"));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        using (var c = new NpgsqlConnection(ServerAddress.Parse(Server("ca.crt"), commandLine: false)))
        {
            c.Open();
            Assert.True((bool)new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", c).ExecuteScalar()!);
        }

        var refused = CliRun.Of("ship", "--db", spool, "--to", Server("wrong.crt"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.Contains("cannot connect", refused.Stderr);
    }

    [PostgresFact]
    public void VerifyFullRefusesACertificateIssuedForAnotherHostName()
    {
        // The CA is right but the certificate names db.example.test, not localhost, where we connect:
        // verify-full must refuse it (a stolen certificate of another server), verify-ca takes it.
        using var pg = TlsServer("db.example.test", "DNS:db.example.test", withWrongCa: false, out var url);
        string Server(string mode) => url(mode, "ca.crt");
        var spool = Spool(2, 3);

        var refused = CliRun.Of("ship", "--db", spool, "--to", Server("verify-full"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.Contains("cannot connect", refused.Stderr);
        Assert.Contains("kept in the local spool", refused.Stderr);

        var ok = CliRun.Of("ship", "--db", spool, "--to", Server("verify-ca"));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("2 snapshots shipped", ok.Stdout);
        Assert.Contains("0 already there", ok.Stdout);
    }

    /// <summary>
    /// A private server with TLS on: a test CA (and, asked for, a second CA that signed nothing of ours) and
    /// a server certificate for <paramref name="name"/> with <paramref name="san"/>; the postgres role has a
    /// password, kept in a passfile. <paramref name="url"/> takes the sslmode and the CA file the client trusts.
    /// </summary>
    private PrivatePostgres TlsServer(string name, string san, bool withWrongCa, out Func<string, string, string> url)
    {
        RequiredTool.Require("openssl", "openssl");
        var d = _dir.Path;
        var wrong = withWrongCa
            ? "openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrong.crt -days 2 -subj /CN=someone-else 2>/dev/null"
            : "";
        var script = $"""
            set -e
            cd '{d}'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=ipcaudit-test-ca 2>/dev/null
            {wrong}
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN={name} 2>/dev/null
            printf 'subjectAltName={san}\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>/dev/null
            """;
        var made = BoundedProcess.Run("bash", ["-c", script], TimeSpan.FromSeconds(60));
        Assert.True(made.ExitCode == 0, made.Stderr);
        var pg = new PrivatePostgres(new Dictionary<string, string> { ["SSL_CERT"] = Path.Combine(d, "server.crt"), ["SSL_KEY"] = Path.Combine(d, "server.key") });
        pg.Execute("CREATE DATABASE fleet; ALTER ROLE postgres PASSWORD 'tls-test'");
        var passfile = Path.Combine(d, "pgpass");
        File.WriteAllText(passfile, "*:*:*:postgres:tls-test\n");
        File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        url = (mode, ca) =>
            $"postgresql://postgres@localhost:{pg.Port}/fleet?sslmode={mode}&sslrootcert={System.Uri.EscapeDataString(Path.Combine(d, ca))}&passfile={System.Uri.EscapeDataString(passfile)}";
        return pg;
    }
}
