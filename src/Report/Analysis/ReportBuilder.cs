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
            var address = ServerAddress.Parse(databasePath, commandLine: true);
            using var server = ServerDatabase.OpenForRead(address);
            // A second reader sees the same moment of the store (the first one's exported snapshot).
            var snapshot = ServerDatabase.ExportSnapshot(server);
            return Build(server, request, progress, () => ServerDatabase.OpenForRead(address, snapshot));
        }
        using var connection = IpcAuditDatabase.OpenForRead(databasePath);
        IpcAuditDatabase.QuickCheck(connection, Path.GetFullPath(databasePath));
        return Build(connection, request, progress);
    }

    /// <param name="anotherReader">
    /// Opens a second connection that sees what <paramref name="connection"/> sees: the units are then read on
    /// both at once, one thread each (a server's report waits on round trips and on the server's one core per
    /// connection). Null reads on <paramref name="connection"/> alone.
    /// </param>
    public static ReportDocument Build(DbConnection connection, ReportRequest request, Progress? progress = null, Func<DbConnection>? anotherReader = null)
    {
        progress ??= Progress.None;
        var history = WindowHistory.Load(connection, request.Since, request.Until, request.Hosts).OfNamespace(request.Namespace);
        var reading = new UnitReading(history, request.OrphanAge, progress);
        var readers = new List<UnitReader> { new(history, connection, reading) };
        DbConnection? second = null;
        try
        {
            Task<UnitReader>? other = null;
            if (anotherReader is not null && history.Units.Count > 1)
                other = Task.Run(() =>
                {
                    second = anotherReader();
                    var reader = new UnitReader(history.Over(second), second, reading);
                    reader.ReadUnits();
                    return reader;
                });
            try
            {
                readers[0].ReadUnits();
            }
            catch
            {
                // The other reader takes no more units; its connection is closed only once it has stopped.
                reading.Abandon();
                try { other?.Wait(); } catch (AggregateException) { }
                throw;
            }
            if (other is not null) readers.Add(other.GetAwaiter().GetResult());
            progress.Clear();
            return reading.Document(readers, request);
        }
        finally
        {
            second?.Dispose();
        }
    }

    /// <summary>What the readers of one report share: the units, which of them is read next, and each unit's rows once read.</summary>
    private sealed class UnitReading(WindowHistory history, TimeSpan orphanAge, Progress progress)
    {
        public TimeSpan OrphanAge => orphanAge;
        public readonly UnitRows[] Rows = new UnitRows[history.Units.Count];
        private readonly int _contexts = history.Units.Sum(u => u.Contexts.Count);
        private int _next = -1, _done;

        /// <summary>The next unit nobody has taken, or -1 when all are taken (or the reading was abandoned).</summary>
        public int Take()
        {
            var u = Interlocked.Increment(ref _next);
            return u >= 0 && u < Rows.Length ? u : -1;
        }

        /// <summary>No reader takes another unit (one failed: the report is not made).</summary>
        public void Abandon() => Interlocked.Exchange(ref _next, int.MaxValue / 2);

        public void ContextRead(string label)
        {
            lock (this) progress.Report("reading history", _done++, _contexts, label);
        }

        public ReportDocument Document(List<UnitReader> readers, ReportRequest request)
        {
            var units = UnitsByLabel(history);
            var order = history.Units.Select((u, i) => (u.Label, i)).ToDictionary(x => x.Label, x => x.i, StringComparer.Ordinal);
            var posix = readers[0].Posix;
            posix.Include([.. readers.Skip(1).Select(r => r.Posix)], label => order[label]);
            var (orphans, idle) = posix.Merge(VerdictFinder.Findings([.. readers.Select(r => r.Verdicts)]));
            return new ReportDocument
            {
                Window = new ReportWindow(request.Since, request.Until, history.SnapshotCount, history.Hosts),
                Orphans = Labelled(orphans, units),
                Idle = Labelled(idle, units),
                Growth = [.. posix.WithGrowth([.. Rows.SelectMany(r => r.Growth)])
                    .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
                Pressure = [.. posix.WithPressure([.. Rows.SelectMany(r => r.Pressure)])
                    .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
                Churn = [.. posix.WithChurn([.. Rows.SelectMany(r => r.Churn)])
                    .Select(r => units.TryGetValue(r.Host, out var u) ? r with { Namespace = u.IpcNamespace, NamespaceLabel = u.NamespaceLabel } : r)],
                Series = [.. Rows.Select(r => r.Chart)],
            };
        }
    }

    /// <summary>A unit's sections, kept in unit order whichever reader read it.</summary>
    private sealed record UnitRows(IReadOnlyList<GrowthRow> Growth, IReadOnlyList<PressureRow> Pressure, IReadOnlyList<ChurnRow> Churn, HostSeries Chart);

    /// <summary>
    /// One connection's reader: takes units until none are left and, for each, reads its contexts and hands
    /// them to the series (growth, pressure, charts), the churn counter and the orphan finder. Each unit's
    /// series are analysed as soon as its contexts are read and then let go, with only the chart points kept:
    /// a thousand hosts' owner series would otherwise stay in memory to the end.
    /// </summary>
    private sealed class UnitReader(WindowHistory history, DbConnection connection, UnitReading reading)
    {
        public VerdictFinder Verdicts { get; } = new(history, reading.OrphanAge);
        public PosixReport Posix { get; } = new(connection, reading.OrphanAge);
        private readonly ChurnAnalyzer _churn = new(history.Units);

        public void ReadUnits()
        {
            for (var u = reading.Take(); u >= 0; u = reading.Take())
            {
                var unit = history.Units[u];
                history.ReadDetails(unit);
                var series = new UnitSeries(unit);
                Posix.Observe(unit);
                for (var c = 0; c < unit.Contexts.Count; c++)
                {
                    var context = unit.Contexts[c];
                    reading.ContextRead(unit.Label);
                    var objects = history.Objects(context);
                    history.Preload(context, atEnd: VerdictFinder.Judges(unit, c));
                    var owners = history.Owners(context, objects);
                    series.AddObjects(c, objects, owners);
                    history.QueueTotals(context, totals => series.AddQueueTotals(c, totals));
                    _churn.Observe(unit, c, objects, owners, history);
                    Verdicts.Observe(unit, c, objects);
                }
                series.Finish();
                reading.Rows[u] = new UnitRows(GrowthAnalyzer.Analyze(series, _churn), LimitPressureAnalyzer.Analyze(series),
                    [.. _churn.RowsOf(unit)], series.ToHostSeries());
            }
        }
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
            history.ReadDetails(unit);
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
