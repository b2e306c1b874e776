using CsvHelper;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>
/// `report --format csv`: RFC 4180 tables for spreadsheets and scripts — every section as a file in a
/// folder, or one section (<c>--section</c>) to stdout or a file, ready to attach to a review. Each
/// starts with one comment line (<c># ipcaudit report; window …; hosts …; generated …</c>) so the
/// table says what it covers; then the header row. Numbers are unformatted (invariant culture) and
/// rounded as the JSON rounds them, times ISO-8601 UTC, null is an empty field.
/// </summary>
public static class ReportCsv
{
    public const string OrphansFile = "orphans.csv", IdleFile = "idle.csv", GrowthFile = "growth.csv", PressureFile = "pressure.csv", ChurnFile = "churn.csv";

    /// <summary>One table of the report: its name (--section, and the file name in folder mode) and its rows.</summary>
    public sealed record Section(string Name, Action<CsvWriter, ReportDocument> WriteRows)
    {
        public string FileName => Name + ".csv";
    }

    /// <summary>Every section, in the order of the JSON document; a new section is one line here.</summary>
    public static readonly IReadOnlyList<Section> Sections =
    [
        new("orphans", (csv, doc) => Rows(csv, doc.Orphans.Select(FindingRow))),
        new("idle", (csv, doc) => Rows(csv, doc.Idle.Select(FindingRow))),
        new("growth", (csv, doc) => Rows(csv, doc.Growth.Select(GrowthRow))),
        new("pressure", (csv, doc) => Rows(csv, doc.Pressure.Select(PressureRow))),
        new("churn", (csv, doc) => Rows(csv, doc.Churn.Select(ChurnRow))),
    ];

    public static IReadOnlyList<string> SectionNames => [.. Sections.Select(s => s.Name)];

    // Host names, reasons and keys come from the system: a cell starting with = + - @ would run as a
    // formula when a reviewer opens the file in a spreadsheet, so it gets a leading ' instead.
    // Booleans as JSON writes them, so scripts read the same values from both.
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        TrueValue = "true",
        FalseValue = "false",
        CommentPrefix = '#',
    };

    /// <param name="generatedAt">When the report was made, for the comment line.</param>
    public static void WriteFolder(string folder, ReportDocument doc, DateTimeOffset generatedAt)
    {
        doc = WithoutControlBytes(doc);
        Directory.CreateDirectory(folder);
        foreach (var section in Sections)
            AtomicFile.Write(Path.Combine(folder, section.FileName), temp =>
            {
                using var csv = CsvWriter.ToFile(temp, Options);
                Write(csv, section, doc, generatedAt);
            });
    }

    /// <summary>One section to a writer (stdout, or the temp file of --output).</summary>
    public static void WriteSection(TextWriter output, string name, ReportDocument doc, DateTimeOffset generatedAt)
    {
        var section = Sections.Single(s => s.Name == name);
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        Write(csv, section, WithoutControlBytes(doc), generatedAt);
    }

    private static void Write(CsvWriter csv, Section section, ReportDocument doc, DateTimeOffset generatedAt)
    {
        csv.WriteComment(Comment(section, doc, generatedAt));
        section.WriteRows(csv, doc);
    }

    /// <summary>"ipcaudit report orphans; window A to B; hosts h1 h2; generated T" — one line, one spreadsheet cell (no commas).</summary>
    internal static string Comment(Section section, ReportDocument doc, DateTimeOffset generatedAt)
    {
        var w = doc.Window;
        var hosts = w.Hosts.Count == 0 ? "none" : string.Join(' ', w.Hosts.Select(Cell));
        return $" ipcaudit report {section.Name}; window {TypedJson.IsoTime(w.Since)} to {TypedJson.IsoTime(w.Until)}; "
               + $"{w.Snapshots} snapshots; hosts {hosts}; generated {TypedJson.IsoTime(generatedAt)}";

        // A host name from a merged file may hold anything: keep the line one line and one cell.
        static string Cell(string host) => string.Concat(host.Select(c => char.IsControl(c) || c is ',' or '"' or ' ' or ';' ? '?' : c));
    }

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
        Host = Safe(o.Host), Key = Safe(o.Key), Name = o.Name is null ? null : Safe(o.Name), Reason = Safe(o.Reason),
        Evidence = [.. o.Evidence.Select(Safe)], Missing = [.. o.Missing.Select(Safe)],
        SuggestedCommand = o.SuggestedCommand is null ? null : Safe(o.SuggestedCommand),
        OwnerName = o.OwnerName is null ? null : Safe(o.OwnerName), Application = o.Application is null ? null : Safe(o.Application),
        Processes = [.. o.Processes.Select(p => p with { Comm = SafeOrNull(p.Comm), Cmdline = SafeOrNull(p.Cmdline), Exe = SafeOrNull(p.Exe), Unit = SafeOrNull(p.Unit) })],
    };

    private static string? SafeOrNull(string? text) => text is null ? null : Safe(text);

    private static string Safe(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') ? '?' : c));

    private static void Rows<T>(CsvWriter csv, IEnumerable<T> rows)
    {
        csv.WriteHeader<T>();
        foreach (var row in rows) csv.WriteRecord(row);
    }

    /// <summary>orphans.csv and idle.csv share their columns; evidence and missing are joined with "; ".</summary>
    private static OrphanCsvRow FindingRow(OrphanFinding o) => new()
    {
        Verdict = o.Verdict, Host = o.Host, Kind = o.Kind, Id = o.IsPosix ? null : o.Id, Key = o.IsPosix ? null : o.Key, Name = o.Name,
        Owner = o.Owner, Bytes = o.Bytes,
        FirstSeen = TypedJson.IsoTime(o.FirstSeen), UnusedSince = TypedJson.IsoTime(o.UnusedSince),
        OrphanedSince = Iso(o.OrphanedSince), LastOperation = Iso(o.LastOperation),
        AgeSeconds = o.AgeSeconds, CreatorPid = o.CreatorPid, CreatorAlive = o.CreatorAlive,
        Reason = o.Reason, Evidence = string.Join("; ", o.Evidence), Missing = string.Join("; ", o.Missing),
        SuggestedCommand = o.SuggestedCommand,
        OwnerName = o.OwnerName, Application = o.Application, Processes = FindingProcesses.Text(o.Processes),
    };

    private static GrowthCsvRow GrowthRow(GrowthRow g) => new()
    {
        Host = g.Host, Kind = g.Kind, Owner = g.Owner, StartCount = g.StartCount, EndCount = g.EndCount,
        StartBytes = g.StartBytes, EndBytes = g.EndBytes, CountSlopePerDay = ReportRounding.SlopeText(g.CountSlopePerDay),
        BytesSlopePerDay = ReportRounding.SlopeText(g.BytesSlopePerDay), Created = g.Created, Removed = g.Removed,
    };

    private static PressureCsvRow PressureRow(PressureRow p) => new()
    {
        Host = p.Host, Limit = p.Limit, Used = p.Used, Max = p.Max, Percent = ReportRounding.PercentText(p.Percent),
        PeakPercent = ReportRounding.PercentText(p.PeakPercent), PeakAt = Iso(p.PeakAt), SecondsAbove80 = p.SecondsAbove80,
        SecondsAbove90 = p.SecondsAbove90, ProjectedExhaustion = Iso(p.ProjectedExhaustion), Role = p.Role,
        ExhaustedSince = Iso(p.ExhaustedSince), Trend = p.Trend, QueueMessages = p.QueueMessages, QueueBytes = p.QueueBytes,
    };

    private static ChurnCsvRow ChurnRow(ChurnRow c) => new()
    {
        Host = c.Host, Kind = c.Kind, Created = c.Created, Removed = c.Removed, VanishedWhileUsed = c.VanishedWhileUsed,
        SysUidMax = c.SysUidMax, SysUidMaxAssumed = c.SysUidMaxAssumed, Reaped = c.Reaped,
    };

    private static string? Iso(DateTimeOffset? t) => t is { } v ? TypedJson.IsoTime(v) : null;
}
