using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit report`: orphans, growth, limit pressure and churn over a window of history, as a
/// terminal table, CSV files, one JSON document or one HTML page. Opens the database read-only.
/// </summary>
/// <param name="progress">Shown while the history is read, when stderr is a terminal.</param>
public sealed class ReportHandler(TextWriter stdout, StderrLog log, Progress? progress = null)
{
    public static readonly IReadOnlyList<string> Formats = ["table", "csv", "json", "html"];
    public static readonly IReadOnlyList<string> FailOnFindings = ["orphans", "pressure"];

    public int Run(string db, string since, string? until, IReadOnlyList<string> hosts, string orphanAge, string format,
        string? output, IReadOnlyList<string> failOn, DateTimeOffset? now = null)
    {
        var clock = now ?? DateTimeOffset.UtcNow;
        var from = TimeArguments.ParseInstantOrAgo(since, "--since", clock);
        var to = until is null ? clock : TimeArguments.ParseInstantOrAgo(until, "--until", clock);
        if (from >= to)
            throw new IpcAuditException($"--since ({TypedJson.IsoTime(from)}) must be before --until ({TypedJson.IsoTime(to)})", ExitCodes.BadInput);
        var age = TimeArguments.ParseDuration(orphanAge, "--orphan-age");
        var kind = format.Trim().ToLowerInvariant();
        if (!Formats.Contains(kind))
            throw new IpcAuditException($"--format: '{format}' is not one of {string.Join(", ", Formats)}", ExitCodes.BadInput);
        var failures = CommaSeparated.Parse(failOn, FailOnFindings, "--fail-on");
        if (kind == "csv" && string.IsNullOrEmpty(output))
            throw new IpcAuditException("--format csv writes one file per section (orphans.csv, growth.csv, pressure.csv, churn.csv): give --output FOLDER", ExitCodes.BadInput);

        var doc = ReportBuilder.Build(db, new ReportRequest(from, to, hosts, age), progress);
        if (doc.Window.Snapshots == 0)
            log.Warning($"no snapshots between {TypedJson.IsoTime(from)} and {TypedJson.IsoTime(to)}{(hosts.Count > 0 ? " for " + string.Join(", ", hosts) : "")}");

        switch (kind)
        {
            case "csv":
                ReportCsv.WriteFolder(output!, doc);
                break;
            case "json":
                WriteTo(output, w => ReportJson.Write(w, doc));
                break;
            case "html":
                WriteTo(output, w => ReportHtml.Write(w, doc));
                break;
            default:
                WriteTo(output, w => ReportTable.Write(w, doc));
                break;
        }
        return FindingsPresent(doc, failures) ? ExitCodes.FindingsPresent : ExitCodes.Success;
    }

    /// <summary>orphans: any orphan reported; pressure: any pool (never a cap: SHMMAX, SEMMSL) at or above 90 % at the last snapshot.</summary>
    public static bool FindingsPresent(ReportDocument doc, IReadOnlySet<string> failOn) =>
        (failOn.Contains("orphans") && doc.Orphans.Count > 0)
        || (failOn.Contains("pressure") && doc.Pressure.Any(p => p.Role == LimitRoles.Pool && p.Percent >= LimitPressureAnalyzer.CriticalPercent));

    private void WriteTo(string? path, Action<TextWriter> write)
    {
        if (string.IsNullOrEmpty(path))
        {
            write(stdout);
            stdout.Flush();
            return;
        }
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } dir) Directory.CreateDirectory(dir);
        AtomicFile.Write(full, write);
    }
}
