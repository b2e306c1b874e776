using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// Schema 11 keeps on each snapshot whether its process scan succeeded (processes_ok), which the report
/// reads for every snapshot of its window: where it failed or never ran, nobody's liveness is known. The
/// writer, the upgrade of an older history, and both copies (merge, ship) must agree with the step rows.
/// </summary>
public sealed class ProcessScanTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>At +5 min the processes step failed; at +10 min it did not run (no step row); the others succeeded.</summary>
    private string History()
    {
        var path = _dir.File("scans.db");
        using var store = SnapshotStore.OpenForWrite(path);
        store.Save(() => Build(T0, shm: [Shm(1)]));
        store.Save(() => Build(T0.AddMinutes(5), shm: [Shm(1)], failedSteps: ["processes"]));
        store.Save(() => WithoutProcessesStep(Build(T0.AddMinutes(10), shm: [Shm(1)])));
        store.Save(() => Build(T0.AddMinutes(15), shm: [Shm(1)]));
        return path;
    }

    private static Snapshot WithoutProcessesStep(Snapshot s) => s with { Steps = [.. s.Steps.Where(step => step.Name != "processes")] };

    private const string Flags = "SELECT processes_ok FROM snapshots ORDER BY taken_at";
    private static readonly long[] Expected = [1, 0, 0, 1];

    private static long[] FlagsOf(string path) => [.. StoredRows.Of(path, Flags).Select(r => (long)r[0]!)];

    [Fact]
    public void TheWriterRecordsWhetherEachScanSucceeded() => Assert.Equal(Expected, FlagsOf(History()));

    [Fact]
    public void UpgradingASchema10HistoryDerivesTheFlagsFromTheSteps()
    {
        var path = History();
        // What schema 10 had: no processes_ok, and no journal row for 11.
        OlderSchema.Sqlite(path, 10);
        using (SnapshotStore.OpenForWrite(path)) { }
        Assert.Equal(Expected, FlagsOf(path));
    }

    [Fact]
    public void MergeCopiesTheFlags()
    {
        var target = _dir.File("merged.db");
        Assert.Equal(0, CliRun.Of("merge", "--db", target, History()).ExitCode);
        Assert.Equal(Expected, FlagsOf(target));
    }

    [PostgresFact]
    public void ShipCopiesTheFlagsAndTheServersUpgradeDerivesTheSame()
    {
        using var pg = new TestPostgres();
        var spool = History();
        Assert.Equal(0, CliRun.Of("ship", "--db", spool, "--to", pg.Uri).ExitCode);
        const string Bits = "SELECT sum(processes_ok << ((taken_at - (SELECT min(taken_at) FROM snapshots)) / 300000)::int) FROM snapshots";
        // Bit n for the snapshot at n × 5 min: 1 + 8.
        Assert.Equal(9, pg.Scalar(Bits));

        // A server at schema 10: the next ship upgrades it, deriving the flags from the step rows it holds.
        pg.Execute(OlderSchema.Postgres(10));
        Assert.Equal(0, CliRun.Of("ship", "--db", spool, "--to", pg.Uri).ExitCode);
        Assert.Equal(9, pg.Scalar(Bits));
    }
}
