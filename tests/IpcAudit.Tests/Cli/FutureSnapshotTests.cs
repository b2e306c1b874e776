using IpcAudit.Collector;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>A snapshot stamped in the future blocks a host's collects: refused unless asked for, and removable.</summary>
public sealed class FutureSnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();
    private string Db => _dir.File("a.db");

    private CliRun Collect(params string[] extra) =>
        CliRun.Of(["collect", "--db", Db, "--proc-root", TestPaths.ProcFixture("modern"), "-q", .. extra]);

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ");

    [Fact]
    public void AtMoreThanMinutesAheadIsRefusedAndNothingIsStored()
    {
        var run = Collect("--at", Iso(DateTimeOffset.UtcNow.AddHours(2)));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("ahead of this machine's clock", line);
        Assert.Contains("--allow-future", line);
        Assert.False(File.Exists(Db));

        // A clock a minute fast is not a mistake.
        Assert.Equal(0, Collect("--at", Iso(DateTimeOffset.UtcNow.AddMinutes(1))).ExitCode);
    }

    [Fact]
    public void AnAllowedFutureSnapshotCanBeDeletedSoCollectsWorkAgain()
    {
        Assert.Equal(0, Collect("--at", Iso(DateTimeOffset.UtcNow.AddDays(-1))).ExitCode);
        Assert.Equal(0, Collect("--at", "2030-01-01T00:00:00Z", "--allow-future").ExitCode);

        var blocked = Collect();
        Assert.Equal(ExitCodes.BadInput, blocked.ExitCode);
        Assert.Contains("prune --snapshot", Assert.Single(blocked.StderrLines));

        var list = CliRun.Of("snapshots", "--db", Db).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var future = list.Single(l => l.Contains("2030-01-01") || l.Contains("2029-12-31")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal(0, CliRun.Of("prune", "--db", Db, "--snapshot", future).ExitCode);
        Assert.Equal(0, Collect().ExitCode);
        Assert.Equal(3, CliRun.Of("snapshots", "--db", Db).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
