using IpcAudit.Report.Analysis;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// Schema 9 keeps each object's first owner and its last owner change (IPC_SET) on the object row, so a
/// report reads states only for the rare object whose owner changed. The writer, the upgrade of an older
/// history and the copy (merge, ship) must agree on both, and the report must still split an object's
/// life between its owners.
/// </summary>
public sealed class OwnerChangeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Segment 1 is given from uid 1000 to uid 2000 (IPC_SET moves ctime) at T0+5m; segment 2 stays with 1000.</summary>
    private string HistoryWithAChown()
    {
        var path = _dir.File("chown.db");
        using var store = SnapshotStore.OpenForWrite(path);
        store.Save(() => Build(T0, shm: [Shm(1, nattch: 1), Shm(2, nattch: 1)]));
        var given = Shm(1, nattch: 1) with { Uid = 2000, Ctime = T0.AddMinutes(3) };
        store.Save(() => Build(T0.AddMinutes(5), shm: [given, Shm(2, nattch: 1)]));
        store.Save(() => Build(T0.AddMinutes(10), shm: [given with { Nattch = 2 }, Shm(2, nattch: 1)]));
        return path;
    }

    private static List<(long IpcId, long? OwnerUid, long? ChangedAt)> OwnerColumns(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ipc_id, owner_uid, owner_changed_at FROM objects ORDER BY ipc_id";
        using var r = command.ExecuteReader();
        var rows = new List<(long, long?, long?)>();
        while (r.Read()) rows.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2)));
        return rows;
    }

    [Fact]
    public void TheWriterKeepsTheFirstOwnerAndWhenItChanged()
    {
        var path = HistoryWithAChown();
        Assert.Equal([(1L, 1000L, UnixTime.Ms(T0.AddMinutes(5))), (2L, 1000L, null)], OwnerColumns(path));
    }

    [Fact]
    public void TheReportCountsTheSegmentUnderEachOwnerForItsSpan()
    {
        var path = HistoryWithAChown();
        var report = ReportBuilder.Build(path, new ReportRequest(T0, T0.AddMinutes(10), [], TimeSpan.FromHours(1)));
        var before = Assert.Single(report.Growth, g => g.Kind == "shm" && g.Owner == 1000);
        var after = Assert.Single(report.Growth, g => g.Kind == "shm" && g.Owner == 2000);
        Assert.Equal((2L, 1L), (before.StartCount, before.EndCount));
        Assert.Equal((0L, 1L, 65536UL), (after.StartCount, after.EndCount, after.EndBytes));
    }

    [Fact]
    public void UpgradingASchema8HistoryFindsItsOwnerChanges()
    {
        var path = HistoryWithAChown();
        var written = OwnerColumns(path);
        // What schema 8 had: no owner columns (nor what came after), and no journal rows after 8.
        OlderSchema.Sqlite(path, 8);
        using (SnapshotStore.OpenForWrite(path)) { }
        Assert.Equal(written, OwnerColumns(path));
    }

    [Fact]
    public void MergeCopiesTheOwnerColumns()
    {
        var source = HistoryWithAChown();
        var target = _dir.File("merged.db");
        using (var store = SnapshotStore.OpenForWrite(target))
            FleetMerger.Merge(store, source);
        Assert.Equal(OwnerColumns(source), OwnerColumns(target));
    }
}
