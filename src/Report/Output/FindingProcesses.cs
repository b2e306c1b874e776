using System.Globalization;
using System.Text.Json;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Model;

namespace IpcAudit.Report.Output;

/// <summary>A finding's processes[], as JSON and as one line of text (CSV cell, table, HTML).</summary>
public static class FindingProcesses
{
    public static void Write(Utf8JsonWriter w, IReadOnlyList<ObjectProcess> processes) => SnapshotJson.ObjectProcesses(w, processes);

    /// <summary>"creator pid 812 (postgres, postgresql@15-main.service) gone; last user pid 901 alive", for one cell or line.</summary>
    public static string Text(IReadOnlyList<ObjectProcess> processes) => string.Join("; ", processes.Select(p =>
    {
        var what = string.Join(", ", new[] { p.Comm, p.Unit }.Where(x => !string.IsNullOrEmpty(x)));
        var state = p.Alive switch { true => "alive", false => "gone", null => "liveness unknown" };
        return $"{p.Role} pid {p.Pid.ToString(CultureInfo.InvariantCulture)}{(what.Length > 0 ? $" ({what})" : "")} {state}";
    }));
}
