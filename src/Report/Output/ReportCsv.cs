using CsvHelper;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>
/// `report --format csv`: one RFC 4180 file per section in a folder, for spreadsheets and scripts.
/// Numbers are unformatted (invariant culture), times ISO-8601 UTC, null is an empty field.
/// </summary>
public static class ReportCsv
{
    public const string OrphansFile = "orphans.csv", IdleFile = "idle.csv", GrowthFile = "growth.csv", PressureFile = "pressure.csv", ChurnFile = "churn.csv";

    // Host names, reasons and keys come from the system: a cell starting with = + - @ would run as a
    // formula when a reviewer opens the file in a spreadsheet, so it gets a leading ' instead.
    // Booleans as JSON writes them, so scripts read the same values from both.
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        TrueValue = "true",
        FalseValue = "false",
    };

    public static void WriteFolder(string folder, ReportDocument doc)
    {
        doc = WithoutControlBytes(doc);
        Directory.CreateDirectory(folder);
        WriteFile(Path.Combine(folder, OrphansFile), doc.Orphans.Select(FindingRow));
        WriteFile(Path.Combine(folder, IdleFile), doc.Idle.Select(FindingRow));
        WriteFile(Path.Combine(folder, GrowthFile), doc.Growth.Select(g => new GrowthCsvRow
        {
            Host = g.Host, Kind = g.Kind, Owner = g.Owner, StartCount = g.StartCount, EndCount = g.EndCount,
            StartBytes = g.StartBytes, EndBytes = g.EndBytes, CountSlopePerDay = g.CountSlopePerDay,
            BytesSlopePerDay = g.BytesSlopePerDay, Created = g.Created, Removed = g.Removed,
        }));
        WriteFile(Path.Combine(folder, PressureFile), doc.Pressure.Select(p => new PressureCsvRow
        {
            Host = p.Host, Limit = p.Limit, Used = p.Used, Max = p.Max, Percent = p.Percent, PeakPercent = p.PeakPercent,
            PeakAt = Iso(p.PeakAt), SecondsAbove80 = p.SecondsAbove80, SecondsAbove90 = p.SecondsAbove90,
            ProjectedExhaustion = Iso(p.ProjectedExhaustion), Role = p.Role, ExhaustedSince = Iso(p.ExhaustedSince), Trend = p.Trend,
            QueueMessages = p.QueueMessages, QueueBytes = p.QueueBytes,
        }));
        WriteFile(Path.Combine(folder, ChurnFile), doc.Churn.Select(c => new ChurnCsvRow
        {
            Host = c.Host, Kind = c.Kind, Created = c.Created, Removed = c.Removed, VanishedWhileUsed = c.VanishedWhileUsed,
            SysUidMax = c.SysUidMax, SysUidMaxAssumed = c.SysUidMaxAssumed, Reaped = c.Reaped,
        }));
    }

    /// <summary>orphans.csv and idle.csv share their columns; evidence and missing are joined with "; ".</summary>
    private static OrphanCsvRow FindingRow(OrphanFinding o) => new()
    {
        Verdict = o.Verdict, Host = o.Host, Kind = o.Kind, Id = o.Id, Key = o.Key, Owner = o.Owner, Bytes = o.Bytes,
        FirstSeen = TypedJson.IsoTime(o.FirstSeen), UnusedSince = TypedJson.IsoTime(o.UnusedSince),
        OrphanedSince = Iso(o.OrphanedSince), LastOperation = Iso(o.LastOperation),
        AgeSeconds = o.AgeSeconds, CreatorPid = o.CreatorPid, CreatorAlive = o.CreatorAlive,
        Reason = o.Reason, Evidence = string.Join("; ", o.Evidence), Missing = string.Join("; ", o.Missing),
        SuggestedCommand = o.SuggestedCommand,
    };

    /// <summary>
    /// Host names, keys and reasons come from the system: an ESC or BEL in a cell reaches the terminal of
    /// whoever runs `cat` on the file, so control bytes become '?' (line breaks and tabs stay: quoting keeps
    /// them inside their cell). The one place every string of the CSV passes.
    /// </summary>
    private static ReportDocument WithoutControlBytes(ReportDocument doc) => doc with
    {
        Orphans = [.. doc.Orphans.Select(WithoutControlBytes)],
        Idle = [.. doc.Idle.Select(WithoutControlBytes)],
        Growth = [.. doc.Growth.Select(g => g with { Host = Safe(g.Host) })],
        Pressure = [.. doc.Pressure.Select(p => p with { Host = Safe(p.Host) })],
        Churn = [.. doc.Churn.Select(c => c with { Host = Safe(c.Host) })],
    };

    private static OrphanFinding WithoutControlBytes(OrphanFinding o) => o with
    {
        Host = Safe(o.Host), Key = Safe(o.Key), Reason = Safe(o.Reason),
        Evidence = [.. o.Evidence.Select(Safe)], Missing = [.. o.Missing.Select(Safe)],
        SuggestedCommand = o.SuggestedCommand is null ? null : Safe(o.SuggestedCommand),
    };

    private static string Safe(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') ? '?' : c));

    private static string? Iso(DateTimeOffset? t) => t is { } v ? TypedJson.IsoTime(v) : null;

    /// <summary>Written beside the target and renamed over it, so a failed run leaves no half file.</summary>
    private static void WriteFile<T>(string path, IEnumerable<T> rows) => AtomicFile.Write(path, temp =>
    {
        using var csv = CsvWriter.ToFile(temp, Options);
        csv.WriteHeader<T>();
        foreach (var row in rows) csv.WriteRecord(row);
    });
}
