using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit report`: orphans, growth, limit pressure and churn over a window of history, as a
/// terminal table, CSV (every section into a folder, or one --section to stdout or a file), one JSON
/// document or one HTML page. Opens the database read-only.
/// </summary>
/// <param name="progress">Shown while the history is read, when stderr is a terminal.</param>
public sealed class ReportHandler(TextWriter stdout, StderrLog log, Progress? progress = null, LocalTime? times = null,
    Interruption? interruption = null)
{
    public static readonly IReadOnlyList<string> Formats = ["table", "csv", "json", "html"];
    public static readonly IReadOnlyList<string> FailOnFindings = FailOnSummary.Names;

    public int Run(string db, string since, string? until, IReadOnlyList<string> hosts, string orphanAge, string format,
        string? output, IReadOnlyList<string> failOn, DateTimeOffset? now = null, string? section = null, string? ipcNamespace = null)
    {
        var clock = now ?? DateTimeOffset.UtcNow;
        var zone = (times ?? LocalTime.System).Zone;
        var from = TimeArguments.ParseInstantOrAgo(since, "--since", clock, zone);
        var to = until is null ? clock : TimeArguments.ParseInstantOrAgo(until, "--until", clock, zone);
        if (from >= to)
            throw new IpcAuditException($"--since ({TypedJson.IsoTime(from)}) must be before --until ({TypedJson.IsoTime(to)})", ExitCodes.BadInput);
        var age = TimeArguments.ParseDuration(orphanAge, "--orphan-age");
        var kind = format.Trim().ToLowerInvariant();
        if (!Formats.Contains(kind))
            throw new IpcAuditException($"--format: '{format}' is not one of {string.Join(", ", Formats)}", ExitCodes.BadInput);
        var failures = CommaSeparated.Parse(failOn, FailOnFindings, "--fail-on");
        var table = ParseSection(section, kind);
        if (kind == "csv" && table is null && OutputPath.IsStdout(output))
            throw new IpcAuditException($"--format csv writes one file per section ({string.Join(", ", ReportCsv.Sections.Select(s => s.FileName))}): give --output FOLDER, or --section NAME for one table on stdout", ExitCodes.BadInput);
        if (!OutputPath.IsStdout(output)) OutputPath.Check(output!);

        var started = Stopwatch.StartNew();
        string[] asked;
        using (var reader = SnapshotReader.Open(db))
        {
            asked = [.. SnapshotChoice.Hosts(reader, hosts)];
            SnapshotChoice.CheckNamespace(reader, ipcNamespace);
            log.Verbose($"database {reader.Path}");
        }
        var shown = times ?? LocalTime.System;
        log.Verbose($"window {shown.Format(from)} to {shown.Format(to)}; hosts {(asked.Length == 0 ? "all" : string.Join(", ", asked))}; orphans from {orphanAge}");
        interruption?.ExitAtOnce(log.Stderr, () => "no report written (the database was only read, nothing changed)");
        var doc = ReportBuilder.Build(db, new ReportRequest(from, to, asked, age, ipcNamespace), progress);
        log.Verbose($"read {doc.Window.Snapshots} snapshots of {doc.Window.Hosts.Count} hosts ({string.Join(", ", doc.Window.Hosts)}) in {StderrLog.Duration(started.Elapsed)}: "
                    + $"{doc.Orphans.Count} orphans, {doc.Idle.Count} idle, {doc.Growth.Count} growth rows, {doc.Pressure.Count} limits, {doc.Churn.Count} churn rows");
        if (doc.Window.Snapshots == 0)
            log.Warning($"no snapshots between {TypedJson.IsoTime(from)} and {TypedJson.IsoTime(to)}{(asked.Length > 0 ? " for " + string.Join(", ", asked) : "")}");

        string written;
        using (interruption?.Critical())
        {
            written = kind switch
            {
                "csv" when table is null => WriteFolder(output!, doc, clock),
                "csv" => OutputPath.Write(output, stdout, w => ReportCsv.WriteSection(w, table, doc, clock)),
                "json" => OutputPath.Write(output, stdout, w => ReportJson.Write(w, doc)),
                "html" => OutputPath.Write(output, stdout, w => ReportHtml.Write(w, doc)),
                _ => OutputPath.Write(output, stdout, w => ReportTable.Write(w, doc)),
            };
        }
        log.Verbose($"wrote {written} in {StderrLog.Duration(started.Elapsed)} in all");
        if (interruption is { Requested: true })
        {
            log.Error($"interrupted after the report was written ({written})");
            return interruption.ExitCode!.Value;
        }
        var found = FailOnSummary.Lines(doc, failures);
        foreach (var line in found) log.Error(line);
        return found.Count > 0 ? ExitCodes.FindingsPresent : ExitCodes.Success;
    }

    private static string WriteFolder(string folder, ReportDocument doc, DateTimeOffset generatedAt)
    {
        var full = OutputPath.Check(folder);
        OutputPath.Guard(full, () => ReportCsv.WriteFolder(full, doc, generatedAt));
        return full + "/";
    }

    /// <summary>orphans: any orphan reported; pressure: any pool (never a cap: SHMMAX, SEMMSL) at or above 90 % at the last snapshot.</summary>
    public static bool FindingsPresent(ReportDocument doc, IReadOnlySet<string> failOn) => FailOnSummary.Lines(doc, failOn).Count > 0;

    private static string? ParseSection(string? section, string format)
    {
        if (section is null) return null;
        var name = section.Trim().ToLowerInvariant();
        if (!ReportCsv.SectionNames.Contains(name))
            throw new IpcAuditException($"--section: '{section}' is not one of {string.Join(", ", ReportCsv.SectionNames)}", ExitCodes.BadInput);
        if (format != "csv")
            throw new IpcAuditException($"--section picks one CSV table: use it with --format csv (json and html hold every section)", ExitCodes.BadInput);
        return name;
    }
}
