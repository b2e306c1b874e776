using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// A database written by ipcaudit 0.1.0 at schema 1 (Fixtures/db/README.md) opens with this build and
/// reports exactly what that release reported, after the upgrade the refusal message names.
/// </summary>
public sealed class OldDatabaseTests : IDisposable
{
    private static string Fixtures => Path.Combine(TestPaths.Fixtures, "db");
    private static string Shipped => Path.Combine(Fixtures, "v0.1.0-schema1.db");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CopyOfShipped()
    {
        var db = _dir.File("old.db");
        File.Copy(Shipped, db);
        return db;
    }

    [Fact]
    public void ReportOfTheOldDatabaseIsRefusedWithTheUpgradeCommandAndLeavesItUntouched()
    {
        var db = CopyOfShipped();
        var run = CliRun.Of("report", "--db", db, "--format", "json");
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal([$"ipcaudit: {db}: schema 1 is older than this ipcaudit's {Migrations.Latest}; upgrade it with `ipcaudit collect --db {db}` or `ipcaudit merge --db NEW.db {db}`"],
            run.StderrLines);
        Assert.Equal(File.ReadAllBytes(Shipped), File.ReadAllBytes(db));
    }

    [Fact]
    public void CollectIntoTheOldDatabaseUpgradesItAndItsHistoryReportsAsTheOldReleaseDid()
    {
        var db = CopyOfShipped();
        var collect = CliRun.Of("collect", "--db", db, "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-21T06:25:00Z", "--quiet");
        Assert.True(collect.ExitCode == 0, collect.Stderr);

        // The window ends before the new snapshot: exactly what 0.1.0 printed from the same file, beside the
        // namespace fields schema 7 added to every row (one line each, taken out here).
        var report = CliRun.Of("report", "--db", db, "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-21T06:20:00Z",
            "--orphan-age", "1m", "--format", "json");
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "v0.1.0-schema1.report.json")), NamespaceFields.Without(report.Stdout));

        var show = CliRun.Of("show", "5", "--db", db, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "v0.1.0-schema1.show-5.json")), NamespaceFields.Without(show.Stdout));

        var list = CliRun.Of(["snapshots", "--db", db], TimeZoneInfo.Utc);
        Assert.Equal(6, list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        Assert.Contains("2026-11-21 06:25:00 UTC", list.Stdout);
    }

    [Fact]
    public void TheOldDatabaseIsUpgradedBySqlite353OrNewer()
    {
        // 0.1.0 bundled SQLite 3.35.5 (2021); the file it wrote must open with the current engine.
        using var connection = IpcAuditDatabase.OpenForWrite(CopyOfShipped());
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        var version = Version.Parse((string)command.ExecuteScalar()!);
        Assert.True(version >= new Version(3, 53), $"SQLite {version}");
    }
}
