using IpcAudit.Report.History;
using IpcAudit.Report.Model;
using System.Data.Common;

namespace IpcAudit.Report.Posix;

/// <summary>The POSIX kinds' part of a report, built beside the System V one and merged into its sections.</summary>
public sealed class PosixReport(DbConnection connection, TimeSpan orphanAge)
{
    private readonly PosixHistory _history = new(connection);
    private readonly PosixVerdicts _verdicts = new((long)orphanAge.TotalMilliseconds);
    private readonly List<PosixSeries> _series = [];

    /// <summary>Every context of the unit for growth and pressure, and the last one's objects for verdicts.</summary>
    public void Observe(HistoryUnit unit)
    {
        if (!_history.Present) return;
        var series = new PosixSeries(unit);
        foreach (var context in unit.Contexts)
        {
            var objects = _history.Objects(context);
            series.Add(context, objects, _history.Levels(context));
            _verdicts.Observe(unit, context, objects);
        }
        _series.Add(series);
    }

    /// <summary>Verdicts only (the current context), for `collect --textfile` and `reap`.</summary>
    public void ObserveVerdicts(HistoryUnit unit)
    {
        if (!_history.Present) return;
        _verdicts.Observe(unit, unit.Contexts[^1], _history.Objects(unit.Contexts[^1]));
    }

    /// <summary>
    /// Takes in what other readers of the same report observed (each some of its units), then orders all of
    /// it by unit (<paramref name="unitIndex"/> of a unit's label), as if this one had observed every unit.
    /// </summary>
    public void Include(IReadOnlyList<PosixReport> others, Func<string, int> unitIndex)
    {
        foreach (var other in others) _series.AddRange(other._series);
        var series = _series.OrderBy(s => unitIndex(s.Unit.Label)).ToList();
        _series.Clear();
        _series.AddRange(series);
        _verdicts.Include(others.Select(o => o._verdicts), unitIndex);
    }

    /// <summary>
    /// System V findings keep their order; POSIX orphans are merged in by bytes × age (an array's bytes are
    /// 0, so arrays stay below), POSIX idle objects by age.
    /// </summary>
    public (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) Merge(
        (IReadOnlyList<OrphanFinding> Orphans, IReadOnlyList<OrphanFinding> Idle) sysv)
    {
        var orphans = MergeBy(sysv.Orphans, _verdicts.Orphans, f => (double)f.Bytes * f.AgeSeconds);
        var idle = MergeBy(sysv.Idle, _verdicts.Idle, f => f.AgeSeconds);
        return (orphans, idle);
    }

    public IReadOnlyList<GrowthRow> WithGrowth(List<GrowthRow> sysv) => AfterEachHost(sysv, s => s.Growth(), r => r.Host);

    public IReadOnlyList<PressureRow> WithPressure(List<PressureRow> sysv) => AfterEachHost(sysv, s => s.Pressure(), r => r.Host);

    public IReadOnlyList<ChurnRow> WithChurn(List<ChurnRow> sysv) => AfterEachHost(sysv, s => s.Churn(), r => r.Host);

    /// <summary>Each unit's POSIX rows after its System V rows: the report lists per host.</summary>
    private List<T> AfterEachHost<T>(List<T> sysv, Func<PosixSeries, IReadOnlyList<T>> rowsOf, Func<T, string> host)
    {
        foreach (var s in _series)
        {
            var rows = rowsOf(s);
            if (rows.Count == 0) continue;
            var at = sysv.FindLastIndex(r => host(r) == host(rows[0])) + 1;
            sysv.InsertRange(at == 0 ? sysv.Count : at, rows);
        }
        return sysv;
    }

    private static List<OrphanFinding> MergeBy(IReadOnlyList<OrphanFinding> first, IReadOnlyList<OrphanFinding> second, Func<OrphanFinding, double> weight)
    {
        var result = new List<OrphanFinding>(first.Count + second.Count);
        var (i, j) = (0, 0);
        while (i < first.Count || j < second.Count)
            result.Add(j >= second.Count || (i < first.Count && weight(first[i]) >= weight(second[j])) ? first[i++] : second[j++]);
        return result;
    }
}
