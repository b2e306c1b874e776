using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>What `report --fail-on` failed on, one line per finding kind, so a CI log says why it exited 10.</summary>
public static class FailOnSummary
{
    public const string Orphans = "orphans", Pressure = "pressure";
    public static readonly IReadOnlyList<string> Names = [Orphans, Pressure];

    /// <summary>orphans: any orphan reported; pressure: any limit at or above 90 % at the last snapshot. Empty when none.</summary>
    public static IReadOnlyList<string> Lines(ReportDocument doc, IReadOnlySet<string> failOn)
    {
        var lines = new List<string>();
        if (failOn.Contains(Orphans) && doc.Orphans.Count > 0)
        {
            var kinds = doc.Orphans.GroupBy(o => o.Kind).Select(g => $"{g.Count()} {g.Key}");
            var worst = ReportRanking.Orphans(doc.Orphans)[0];
            lines.Add($"--fail-on orphans: {doc.Orphans.Count} orphaned object{(doc.Orphans.Count == 1 ? "" : "s")} ({string.Join(", ", kinds)}); "
                      + $"worst: {worst.Host} {worst.Kind} {worst.Id} ({Readable.Bytes(worst.Bytes)}, orphaned {Readable.Age(worst.AgeSeconds)}), `{worst.SuggestedCommand}`");
        }
        if (failOn.Contains(Pressure))
        {
            var hot = doc.Pressure.Where(p => p.Role == LimitRoles.Pool && p.Percent >= LimitPressureAnalyzer.CriticalPercent).ToList();
            if (hot.Count > 0)
                lines.Add($"--fail-on pressure: {string.Join(", ", hot.Select(p => $"{p.Limit} on {p.Host} at {Readable.Percent(p.Percent)}"))} "
                          + $"(at or above {LimitPressureAnalyzer.CriticalPercent:0} % at the end of the window)");
        }
        return lines;
    }
}
