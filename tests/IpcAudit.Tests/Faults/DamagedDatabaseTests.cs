using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace IpcAudit.Tests.Faults;

/// <summary>
/// Files that carry IpcAudit's id but do not add up: every command refuses them with the
/// corrupt-or-foreign message and exit 4, never a raw SQLite error, and changes nothing.
/// </summary>
public sealed class DamagedDatabaseTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private string Db => _dir.File("a.db");
    public void Dispose() => _dir.Dispose();

    private const string CorruptOrForeign = "not an IpcAudit database, or a corrupt one";

    private CliRun Collect(string at) =>
        CliRun.Of("collect", "--db", Db, "--proc-root", TestPaths.ProcFixture("modern"), "--at", at);

    private CliRun Report() => CliRun.Of("report", "--db", Db, "--since", "2026-11-20T00:00:00Z", "--until", "2026-11-22T00:00:00Z");

    private void WithDatabase(string sql)
    {
        using var c = new SqliteConnection($"Data Source={Db};Pooling=false");
        c.Open();
        IpcAuditDatabase.Execute(c, sql);
        IpcAuditDatabase.Execute(c, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private void AssertRefusedByEveryCommand(string detail)
    {
        var before = File.ReadAllBytes(Db);
        foreach (var run in new[] { Collect("2026-11-21T07:00:00Z"), Report(), CliRun.Of("snapshots", "--db", Db), CliRun.Of("show", "--db", Db) })
        {
            output.WriteLine(run.Stderr);
            Assert.Equal(ExitCodes.BadDatabase, run.ExitCode);
            Assert.Single(run.StderrLines);
            Assert.Contains(CorruptOrForeign, run.Stderr);
            Assert.Contains(detail, run.Stderr);
        }
        Assert.Equal(before, File.ReadAllBytes(Db));
    }

    [Fact]
    public void UserVersionZeroWithOurTablesIsRefused()
    {
        Assert.Equal(0, Collect("2026-11-21T06:00:00Z").ExitCode);
        WithDatabase("PRAGMA user_version = 0;");
        AssertRefusedByEveryCommand("no schema version");
    }

    [Fact]
    public void DroppedTableIsRefused()
    {
        Assert.Equal(0, Collect("2026-11-21T06:00:00Z").ExitCode);
        WithDatabase("DROP TABLE shm_states;");
        AssertRefusedByEveryCommand("tables are missing");
    }

    [Fact]
    public void MigrationJournalNewerThanUserVersionIsRefused()
    {
        Assert.Equal(0, Collect("2026-11-21T06:00:00Z").ExitCode);
        WithDatabase($"INSERT INTO schema_migrations VALUES ({Migrations.Latest + 1}, '9999_future', 0);");
        AssertRefusedByEveryCommand("migration journal");
    }

    [Fact]
    public void ReportOnFlippedBytesInTheMiddleIsRefused()
    {
        var tree = ProcTreeBuilder.Create(_dir.File("tree"), perKind: 400);
        for (var i = 0; i < 3; i++)
            Assert.Equal(0, CliRun.Of("collect", "--db", Db, "--proc-root", tree, "--at", $"2026-11-21T0{i}:00:00Z").ExitCode);
        WithDatabase("PRAGMA journal_mode = DELETE;");
        var bytes = File.ReadAllBytes(Db);
        var rng = new Random(9);
        // Flip bytes inside b-tree pages in the middle of the file, not the header page.
        for (var i = 0; i < 64; i++) bytes[bytes.Length / 2 + rng.Next(4096 * 4)] ^= 0xFF;
        File.WriteAllBytes(Db, bytes);
        var run = Report();
        output.WriteLine(run.Stderr);
        Assert.Equal(ExitCodes.BadDatabase, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains(CorruptOrForeign, run.Stderr);
    }

    [Fact]
    public void SchemaFourRemovesOnlyTheNotNullOfTheCountsAndKeepsOldRows()
    {
        // A database as schema 2 wrote it, with one snapshot of its own.
        using (var c = new SqliteConnection($"Data Source={Db};Pooling=false"))
        {
            c.Open();
            foreach (var script in new[] { "0001_initial", "0002_process_families" })
                IpcAuditDatabase.Execute(c, File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "schema", script + ".sql")));
            IpcAuditDatabase.Execute(c, $"""
                CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
                INSERT INTO schema_migrations VALUES (1, '0001_initial', 0), (2, '0002_process_families', 0);
                INSERT INTO contexts (natural_key, host, page_size) VALUES ('old|||', 'old', 4096);
                INSERT INTO snapshots (snapshot_uid, context_id, taken_at, collector_version, schema_version, shm_count, sem_count, msg_count)
                    VALUES ('u1', 1, {new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()}, '0.1.0', 2, 7, 8, 9);
                INSERT INTO snapshot_steps VALUES (1, 'shm', 0, 1, 1, NULL);
                PRAGMA application_id = {IpcAuditDatabase.ApplicationId}; PRAGMA user_version = 2;
                """);
        }
        Assert.Equal(0, Collect("2026-11-21T06:00:00Z").ExitCode);

        using var check = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=false");
        check.Open();
        Assert.Equal("ok", Scalar(check, "PRAGMA integrity_check"));
        Assert.Equal(Migrations.Latest.ToString(), Scalar(check, "PRAGMA user_version"));
        Assert.Equal("0", Scalar(check, "SELECT count(*) FROM pragma_table_info('snapshots') WHERE name LIKE '%_count' AND \"notnull\""));
        Assert.Equal("1", Scalar(check, "SELECT count(*) FROM pragma_table_info('snapshots') WHERE name = 'snapshot_uid' AND \"notnull\""));
        Assert.Equal("1", Scalar(check, "SELECT count(*) FROM snapshot_steps WHERE snapshot_id = 1"));
        var list = CliRun.Of(["snapshots", "--db", Db], TimeZoneInfo.Utc).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"\s7\s+8\s+9\s", list[1]);
        Assert.Matches(@"\s5\s+2\s+2\s", list[2]);
    }

    private static string Scalar(SqliteConnection c, string sql)
    {
        using var q = c.CreateCommand();
        q.CommandText = sql;
        return Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
