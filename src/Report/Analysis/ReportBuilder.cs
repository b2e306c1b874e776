using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Analysis.Verdicts;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;
using IpcAudit.Report.Posix;
using System.Data.Common;

namespace IpcAudit.Report.Analysis;

/// <summary>What `ipcaudit report` was asked: the window, the hosts (all when empty), the orphan age threshold.</summary>
/// <param name="Namespace">Only this IPC namespace (label or inode, `--namespace`); all when null.</param>
public sealed record ReportRequest(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyList<string> Hosts, TimeSpan OrphanAge, string? Namespace = null);

/// <summary>
/// Assembles the report context by context: each context's objects and owners are read once and
/// handed to the series (growth, pressure, charts), the churn counter and the orphan finder.
/// </summary>
public static class ReportBuilder
{
    /// <param name="progress">A progress line per context read (months of history take a while); none when null.</param>
    /// <param name="databasePath">A SQLite file, or the central server (a postgresql:// URI or connection string).</param>
    public static ReportDocument Build(string databasePath, ReportRequest request, Progress? progress = null)
    {
        if (ServerAddress.IsServer(databasePath))
        {
            using var server = ServerDatabase.OpenForRead(ServerAddress.Parse(databasePath, commandLine: true));
            return Build(server, request, progress);
        }
        using var connection = IpcAuditDatabase.OpenForRead(databasePath);
        IpcAuditDatabase.QuickCheck(connection, Path.GetFullPath(databasePath));
        return Build(connection, request, progress);
    }

    public static ReportDocument Build(DbConnection connection, ReportRequest request, Progress? progress = null)
    {
        progress ??= Progress.None;
        var history = WindowHistory.Load(connection, request.Since, request.Until, request.Hosts).OfNamespace(request.Namespace);
        var (done, total) = (0, history.Units.Sum(u => u.Contexts.Count));
        var churn = new ChurnAnalyzer(history.Units);
        // Each unit's per-snapshot series are analysed as soon as its contexts are read and then let go, with
        // only the chart points kept: a thousand hosts' owner series would otherwise stay in memory to the end.
        var (growth, pressure, charts) = (new List<GrowthRow>(), new List<PressureRow>(), new List<HostSeries>());
        var verdicts = new VerdictFinder(history, request.OrphanAge);
        var posix = new PosixReport(connection, request.OrphanAge);
        for (var u = 0; u < history.Units.Count; u++)
        {
            var unit = history.Units[u];
            var series = new UnitSeries(unit);
            posix.Observe(unit);
            for (var c = 0; c < unit.Contexts.Count; c++)
            {
                var context = unit.Contexts[c];
                progress.Report("reading history", done++, total, unit.Label);
                var objects = history.Objects(context);
                history.Preload(context, atEnd: VerdictFinder.Judges(unit, c));
                var owners = history.Owners(context, objects);
                series.AddObjects(c, objects, owners);
                history.QueueTotals(context, totals => series.AddQueueTotals(c, totals));
                churn.Observe(unit, c, objects, owners, history);
                verdicts.Observe(unit, c, objects);
            }
            series.Finish();
            growth.AddRange(GrowthAnalyzer.Analyze(series, churn));
            pressure.AddRange(LimitPressureAnalyzer.Analyze(series));
            charts.Add(series.ToHostSeries());
        }
        progress.Clear();
        var (orphans, idle) = posix.Merge(verdicts.Findings());
        var units = UnitsByLabel(history);

        return new ReportDocument
        {
            Window = new ReportWindow(request.Since, request.Until, history.SnapshotCount, history.Hosts),
            Orphans = Labelled(orphans, units),
            Idle = Labelled(idle, units),
            Growth = [.. posix.WithGrowth(growth)
                .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
            Pressure = [.. posix.WithPressure(pressure)
                .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
            Churn = [.. posix.WithChurn([.. churn.Rows()])
                .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
            Series = charts,
        };
    }

    /// <summary>
    /// The report's orphans alone (never idle objects), for `collect --textfile` every few minutes: only
    /// the objects that still exist (the current boot's last context) are read, and each object's whole
    /// history is judged as in the full report, so a short window gives the same findings.
    /// </summary>
    public static IReadOnlyList<OrphanFinding> Orphans(string databasePath, ReportRequest request)
    {
        using var connection = IpcAuditDatabase.OpenForRead(databasePath);
        return CurrentVerdicts(connection, request, _ => true, withPosix: true).Orphans;
    }

    /// <summary>
    /// Orphans and idle objects of one context only, judged as the report judges them, for `reap`: the
    /// ids it may remove mean something only in the context (host, boot, IPC namespace) it runs in, and
    /// only while that context's last snapshot is the one it just took.
    /// </summary>
    public static (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) VerdictsOf(
        DbConnection connection, ReportRequest request, long contextId) =>
        CurrentVerdicts(connection, request, unit => unit.Contexts[^1].ContextId == contextId);

    /// <summary>Rows name their unit by its label; these give each row its namespace and the namespace's label.</summary>
    private static Dictionary<string, HistoryUnit> UnitsByLabel(WindowHistory history) =>
        history.Units.ToDictionary(u => u.Label, StringComparer.Ordinal);

    private static IReadOnlyList<OrphanFinding> Labelled(IReadOnlyList<OrphanFinding> findings, Dictionary<string, HistoryUnit> units) =>
        [.. findings.Select(o => units.TryGetValue(o.Host, out var u) ? o with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : o)];

    /// <summary>Judges only the objects that still exist (the last context of each current unit that <paramref name="include"/> takes).</summary>
    /// <param name="withPosix">POSIX objects too (the textfile's orphan counts); reap removes System V objects only.</param>
    private static (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) CurrentVerdicts(
        DbConnection connection, ReportRequest request, Func<HistoryUnit, bool> include, bool withPosix = false)
    {
        var history = WindowHistory.Load(connection, request.Since, request.Until, request.Hosts).OfNamespace(request.Namespace);
        var verdicts = new VerdictFinder(history, request.OrphanAge);
        var posix = new PosixReport(connection, request.OrphanAge);
        foreach (var unit in history.Units)
        {
            if (!unit.Current || unit.Contexts.Count == 0 || !include(unit)) continue;
            var last = unit.Contexts.Count - 1;
            var objects = history.Objects(unit.Contexts[last]);
            history.Preload(unit.Contexts[last], atEnd: true);
            verdicts.Observe(unit, last, objects);
            if (withPosix) posix.ObserveVerdicts(unit);
        }
        var (orphans, idle) = posix.Merge(verdicts.Findings());
        var units = UnitsByLabel(history);
        return (Labelled(orphans, units), Labelled(idle, units));
    }
}
