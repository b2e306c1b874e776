using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Analysis.Verdicts;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;
using System.Data.Common;

namespace IpcAudit.Report.Analysis;

/// <summary>What `ipcaudit report` was asked: the window, the hosts (all when empty), the orphan age threshold.</summary>
public sealed record ReportRequest(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyList<string> Hosts, TimeSpan OrphanAge);

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
        var history = WindowHistory.Load(connection, request.Since, request.Until, request.Hosts);
        var (done, total) = (0, history.Units.Sum(u => u.Contexts.Count));
        var series = history.Units.Select(u => new UnitSeries(u)).ToList();
        var churn = new ChurnAnalyzer(history.Units);
        var verdicts = new VerdictFinder(history, request.OrphanAge);
        for (var u = 0; u < history.Units.Count; u++)
        {
            var unit = history.Units[u];
            for (var c = 0; c < unit.Contexts.Count; c++)
            {
                var context = unit.Contexts[c];
                progress.Report("reading history", done++, total, unit.Label);
                var objects = history.Objects(context);
                var owners = history.Owners(context, objects);
                series[u].AddObjects(c, objects, owners);
                history.QueueLevels(context, level => series[u].AddQueueLevel(c, level));
                churn.Observe(unit, c, objects, owners, history);
                verdicts.Observe(unit, c, objects);
            }
            series[u].Finish();
        }
        progress.Clear();
        var (orphans, idle) = verdicts.Findings();

        return new ReportDocument
        {
            Window = new ReportWindow(request.Since, request.Until, history.SnapshotCount, history.Hosts),
            Orphans = orphans,
            Idle = idle,
            Growth = series.SelectMany(s => GrowthAnalyzer.Analyze(s, churn)).ToList(),
            Pressure = series.SelectMany(LimitPressureAnalyzer.Analyze).ToList(),
            Churn = churn.Rows(),
            Series = series.Select(s => s.ToHostSeries()).ToList(),
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
        return CurrentVerdicts(connection, request, _ => true).Orphans;
    }

    /// <summary>
    /// Orphans and idle objects of one context only, judged as the report judges them, for `reap`: the
    /// ids it may remove mean something only in the context (host, boot, IPC namespace) it runs in, and
    /// only while that context's last snapshot is the one it just took.
    /// </summary>
    public static (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) VerdictsOf(
        DbConnection connection, ReportRequest request, long contextId) =>
        CurrentVerdicts(connection, request, unit => unit.Contexts[^1].ContextId == contextId);

    /// <summary>Judges only the objects that still exist (the last context of each current unit that <paramref name="include"/> takes).</summary>
    private static (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) CurrentVerdicts(
        DbConnection connection, ReportRequest request, Func<HistoryUnit, bool> include)
    {
        var history = WindowHistory.Load(connection, request.Since, request.Until, request.Hosts);
        var verdicts = new VerdictFinder(history, request.OrphanAge);
        foreach (var unit in history.Units)
        {
            if (!unit.Current || unit.Contexts.Count == 0 || !include(unit)) continue;
            var last = unit.Contexts.Count - 1;
            verdicts.Observe(unit, last, history.Objects(unit.Contexts[last]));
        }
        return verdicts.Findings();
    }
}
