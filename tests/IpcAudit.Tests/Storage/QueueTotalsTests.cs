using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// Schema 10 keeps each snapshot's message queues per owner (msg_totals), so a report draws the queue
/// series without a state per queue per snapshot. The writer, the upgrade of an older history and the
/// copy must agree on them, and the report must find the fullest queue by its share of capacity.
/// </summary>
public sealed class QueueTotalsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// uid 1000 has a big queue of 16 KiB capacity (1,000 bytes in it) and a small one of 200 bytes (150 in it:
    /// 75 %, the fullest though it holds less); uid 2000 has a queue of 500 empty messages whose qbytes could
    /// not be read (msgmnb, 16,384, stands in). At +5 min the msg step fails: the queues hold as they were.
    /// At +10 min the small queue is gone and the big one holds 2,000 bytes.
    /// </summary>
    private string History()
    {
        var path = _dir.File("queues.db");
        var big = Msg(20) with { Uid = 1000, Cbytes = 1000, Qnum = 10 };
        var small = Msg(21) with { Uid = 1000, Cbytes = 150, Qnum = 3, Qbytes = 200 };
        var tiny = Msg(22) with { Uid = 2000, Cbytes = 0, Qnum = 500, Qbytes = null };
        using var store = SnapshotStore.OpenForWrite(path);
        store.Save(() => Build(T0, msg: [big, small, tiny]));
        store.Save(() => Build(T0.AddMinutes(5), msg: [], failedSteps: ["msg"]));
        store.Save(() => Build(T0.AddMinutes(10), msg: [big with { Cbytes = 2000, Qnum = 20 }, tiny]));
        return path;
    }

    private static List<(long Minute, long Uid, long Queues, long Cbytes, long FullestCbytes, long FullestQnum, long FullestCapacity)> Totals(string path) =>
        [.. StoredRows.Of(path, $"""
            SELECT (taken_at - {UnixTime.Ms(T0)}) / 60000, uid, queues, cbytes, fullest_cbytes, fullest_qnum, fullest_capacity
            FROM msg_totals ORDER BY taken_at, uid
            """).Select(r => ((long)r[0]!, (long)r[1]!, (long)r[2]!, (long)r[3]!, (long)r[4]!, (long)r[5]!, (long)r[6]!))];

    private static readonly (long, long, long, long, long, long, long)[] Expected =
    [
        (0, 1000, 2, 1150, 150, 3, 200), (0, 2000, 1, 0, 0, 500, 16384),
        (5, 1000, 2, 1150, 150, 3, 200), (5, 2000, 1, 0, 0, 500, 16384),
        (10, 1000, 1, 2000, 2000, 20, 16384), (10, 2000, 1, 0, 0, 500, 16384),
    ];

    [Fact]
    public void TheWriterSumsEachOwnersQueuesAndRanksTheFullestByShare()
    {
        Assert.Equal(Expected, Totals(History()));
    }

    [Fact]
    public void UpgradingASchema9HistoryDerivesTheSameTotals()
    {
        var path = History();
        // What schema 9 had: no msg_totals (nor what came after), and no journal rows after 9.
        OlderSchema.Sqlite(path, 9);
        using (SnapshotStore.OpenForWrite(path)) { }
        Assert.Equal(Expected, Totals(path));
    }

    [Fact]
    public void MergeCopiesTheTotalsAndDeletingASnapshotTakesItsOwn()
    {
        var source = History();
        var target = _dir.File("merged.db");
        Assert.Equal(0, CliRun.Of("merge", "--db", target, source).ExitCode);
        Assert.Equal(Expected, Totals(target));
        // Merging again adds nothing.
        Assert.Equal(0, CliRun.Of("merge", "--db", target, source).ExitCode);
        Assert.Equal(Expected, Totals(target));

        long middle;
        using (var reader = SnapshotReader.Open(target)) middle = reader.List()[1].SnapshotId;
        Assert.Equal(0, CliRun.Of("prune", "--db", target, "--snapshot", middle.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);
        Assert.Equal([.. Expected.Where(e => e.Item1 != 5)], Totals(target));
    }

    [PostgresFact]
    public void ShipCopiesTheTotalsAndTheServersUpgradeDerivesTheSame()
    {
        using var pg = new TestPostgres();
        var spool = History();
        Assert.Equal(0, CliRun.Of("ship", "--db", spool, "--to", pg.Uri).ExitCode);
        const string Rows = "SELECT count(*) FROM msg_totals";
        const string Sum = "SELECT sum(uid * 7 + queues * 11 + cbytes * 13 + fullest_cbytes * 17 + fullest_qnum * 19 + fullest_capacity * 23) FROM msg_totals";
        var (rows, sum) = (pg.Scalar(Rows), pg.Scalar(Sum));
        Assert.Equal(Expected.Length, rows);
        Assert.Equal(Expected.Sum(e => e.Item2 * 7 + e.Item3 * 11 + e.Item4 * 13 + e.Item5 * 17 + e.Item6 * 19 + e.Item7 * 23), sum);

        // A server at schema 9: the next ship upgrades it, deriving the rows from the states it holds.
        pg.Execute(OlderSchema.Postgres(9));
        Assert.Equal(0, CliRun.Of("ship", "--db", spool, "--to", pg.Uri).ExitCode);
        Assert.Equal((rows, sum), (pg.Scalar(Rows), pg.Scalar(Sum)));
    }

    [Fact]
    public void TheReportTakesTheFullestQueueByShareAcrossOwners()
    {
        var report = ReportBuilder.Build(History(), new ReportRequest(T0, T0.AddMinutes(10), [], TimeSpan.FromHours(1)));
        var queue = Assert.Single(report.Pressure, p => p.Limit == LimitNames.Msgmnb);
        // Now the big queue (2,000 of 16,384); at the start the small one, 150 of 200.
        Assert.Equal((2000UL, 16384UL, 2000UL, 20UL), (queue.Used, queue.Max!.Value, queue.QueueBytes!.Value, queue.QueueMessages!.Value));
        Assert.Equal(75.0, queue.PeakPercent!.Value, 3);
        var owner1000 = Assert.Single(report.Growth, g => g.Kind == IpcKind.Msg && g.Owner == 1000);
        Assert.Equal((2L, 1L, 1150UL, 2000UL), (owner1000.StartCount, owner1000.EndCount, owner1000.StartBytes, owner1000.EndBytes));
        var owner2000 = Assert.Single(report.Growth, g => g.Kind == IpcKind.Msg && g.Owner == 2000);
        Assert.Equal((1L, 1L, 0UL, 0UL), (owner2000.StartCount, owner2000.EndCount, owner2000.StartBytes, owner2000.EndBytes));
    }
}
