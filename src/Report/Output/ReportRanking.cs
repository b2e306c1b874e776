using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>What a capacity review looks at first; the table and the page rank the same way.</summary>
internal static class ReportRanking
{
    /// <summary>
    /// Bytes times age, worst first. Semaphore arrays hold no bytes, so among equals the older
    /// leak ranks higher (an Apache restart leak grows by age, not size).
    /// </summary>
    public static IReadOnlyList<OrphanFinding> Orphans(IEnumerable<OrphanFinding> orphans) => orphans
        .OrderByDescending(o => (double)o.Bytes * o.AgeSeconds)
        .ThenByDescending(o => o.AgeSeconds)
        .ThenBy(o => o.Host, StringComparer.Ordinal).ThenBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Id)
        .ToList();

    /// <summary>
    /// The pool nearest its maximum now; among equals, the one projected to run out first. Caps
    /// (SHMMAX, SEMMSL) bound one object and never run out, so they are not candidates.
    /// </summary>
    public static PressureRow? ClosestToExhaustion(IEnumerable<PressureRow> pressure) => PressureText.Pools(pressure)
        .Where(p => p.Percent is not null)
        .OrderByDescending(p => p.Percent)
        .ThenBy(p => p.ProjectedExhaustion ?? DateTimeOffset.MaxValue)
        .FirstOrDefault();

    /// <summary>The limit projected to run out first, if any is rising.</summary>
    public static PressureRow? FirstProjectedExhaustion(IEnumerable<PressureRow> pressure) => PressureText.Pools(pressure)
        .Where(p => p.ProjectedExhaustion is not null)
        .OrderBy(p => p.ProjectedExhaustion)
        .FirstOrDefault();
}
