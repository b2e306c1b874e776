using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Tests.Support;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

/// <summary>A synthetic history written through SnapshotStore into a temp database, and reports over it.</summary>
public sealed class HistoryFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Db => _dir.File("history.db");
    public string Folder => _dir.Path;

    public void Dispose() => _dir.Dispose();

    /// <summary>T0 plus some hours: snapshots in these tests are hourly.</summary>
    public static DateTimeOffset H(double hours) => T0.AddHours(hours);

    public void Save(IEnumerable<Snapshot> snapshots)
    {
        using var store = SnapshotStore.OpenForWrite(Db);
        foreach (var s in snapshots) store.Save(() => s);
    }

    public void Save(params Snapshot[] snapshots) => Save((IEnumerable<Snapshot>)snapshots);

    /// <summary>The same objects (from <paramref name="at"/>) at each of the given hours.</summary>
    public void SaveHourly(IEnumerable<double> hours, Func<double, Snapshot> at) => Save(hours.Select(at));

    public ReportDocument Report(double sinceHours, double untilHours, TimeSpan? orphanAge = null, params string[] hosts) =>
        ReportBuilder.Build(Db, new ReportRequest(H(sinceHours), H(untilHours), hosts, orphanAge ?? TimeSpan.FromHours(24)));

    /// <summary>A live process; by default started two days before T0, i.e. before every synthetic object's ctime.</summary>
    public static ProcessInfo Alive(int pid, DateTimeOffset? started = null, string? cmdline = null) => new()
    {
        Pid = pid, Alive = true, Comm = "proc" + pid, Cmdline = cmdline ?? $"/usr/bin/proc{pid} --serve", Uid = 1000,
        StartTime = started ?? T0.AddDays(-2),
    };

    public static IEnumerable<double> Hours(int from, int to) => Enumerable.Range(from, to - from + 1).Select(h => (double)h);
}
