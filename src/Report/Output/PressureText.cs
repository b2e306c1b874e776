using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>What a pressure row says in words, the same in the table and the page.</summary>
internal static class PressureText
{
    public static IEnumerable<PressureRow> Pools(IEnumerable<PressureRow> rows) => rows.Where(p => p.Role == LimitRoles.Pool);

    public static IEnumerable<PressureRow> Caps(IEnumerable<PressureRow> rows) => rows.Where(p => p.Role == LimitRoles.Cap);

    /// <summary>
    /// A pool's outlook: "exhausted since T", the projected date, "rising, not within a year",
    /// "not rising", or "unknown" (no limit, or too few recent snapshots for a trend).
    /// </summary>
    public static string Outlook(PressureRow p, Func<DateTimeOffset, string> time)
    {
        if (p.ExhaustedSince is { } since) return "exhausted since " + time(since);
        if (p.ProjectedExhaustion is { } at) return time(at);
        return p.Trend switch
        {
            TrendNames.Rising => p.Max is null ? "rising" : "rising, not within a year",
            TrendNames.Flat or TrendNames.Falling => "not rising",
            _ => "unknown",
        };
    }

    /// <summary>A used amount in its unit; MSGMNB names what fills the queue when its messages outnumber its bytes.</summary>
    public static string Used(PressureRow p) =>
        p.Limit == LimitNames.Msgmnb && p.QueueMessages is { } n && n > (p.QueueBytes ?? 0)
            ? Readable.Count(n) + (n == 1 ? " msg" : " msgs")
            : Readable.LimitValue(p.Limit, p.Used);
}
