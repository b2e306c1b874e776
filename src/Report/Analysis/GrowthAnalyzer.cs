using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// Per unit, kind and owner: counts and sizes at the first and last snapshot of the window, their
/// least-squares slopes per day over every snapshot, and objects created and removed.
/// "Bytes" is shm segment size, msg queued bytes (cbytes), and for sem the number of semaphores
/// (nsems): what SEMMNS is charged, and the only size a semaphore array has.
/// </summary>
public static class GrowthAnalyzer
{
    private static readonly string[] KindOrder = [IpcKind.Shm, IpcKind.Sem, IpcKind.Msg];

    public static IReadOnlyList<GrowthRow> Analyze(UnitSeries s, ChurnAnalyzer churn)
    {
        var label = s.Unit.Label;
        var keys = s.Owners.Keys.Union(churn.OwnersOf(label))
            .OrderBy(k => Array.IndexOf(KindOrder, k.Kind)).ThenBy(k => k.Owner);
        var rows = new List<GrowthRow>();
        var last = s.Count - 1;
        foreach (var (kind, owner) in keys)
        {
            var series = s.Owners.GetValueOrDefault((kind, owner)) ?? new OwnerSeries(s.Count);
            var lifecycle = churn.CountsOf(label, kind, owner);
            rows.Add(new GrowthRow
            {
                Host = label, Kind = kind, Owner = owner,
                StartCount = series.Count[0], EndCount = series.Count[last],
                StartBytes = series.Amount[0], EndBytes = series.Amount[last],
                CountSlopePerDay = LeastSquares.SlopePerDay(s.Times, i => series.Count[i]),
                BytesSlopePerDay = LeastSquares.SlopePerDay(s.Times, i => series.Amount[i]),
                Created = lifecycle?.Created ?? 0, Removed = lifecycle?.Removed ?? 0,
            });
        }
        return rows;
    }
}
