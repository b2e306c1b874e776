using System.Text.Json;
using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Reap;

namespace IpcAudit.Report.Output;

/// <summary>
/// `reap --json`: {"dry_run", "would_remove", "removed", "skipped", "failed", "kept"}, each row the
/// report's orphans[] / idle[] fields plus `reap_reason` (why skipped, failed or kept; null otherwise).
/// `reap --log --json`: {"log": [...]}.
/// </summary>
public static class ReapJson
{
    public static void Write(TextWriter writer, ReapResult result) => TypedJson.Write(writer, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("dry_run", result.DryRun);
        Items(w, "would_remove", result.WouldRemove);
        Items(w, "removed", result.Removed);
        Items(w, "skipped", result.Skipped);
        Items(w, "failed", result.Failed);
        Items(w, "kept", result.Kept);
        w.WriteEndObject();
    });

    private static void Items(Utf8JsonWriter w, string name, IReadOnlyList<ReapItem> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            ReportJson.FindingFields(w, item.Finding);
            if (item.Reason is { } reason) w.WriteString("reap_reason", reason); else w.WriteNull("reap_reason");
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteLog(TextWriter writer, IReadOnlyList<ReapLogEntry> entries) => TypedJson.Write(writer, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("log");
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteString("at", TypedJson.IsoTime(e.At));
            w.WriteNumber("by_uid", e.ByUid);
            w.WriteString("host", e.Host);
            w.WriteString("kind", e.Kind);
            w.WriteNumber("id", e.Id);
            w.WriteString("key", Collector.Model.IpcMode.FormatKey(e.Key));
            w.WriteTime("ctime", e.Ctime is { } c ? DateTimeOffset.FromUnixTimeSeconds(c) : null);
            w.WriteNumber("owner", e.Owner);
            w.WriteNumber("bytes", e.Bytes);
            w.WriteNumber("age_seconds", e.AgeSeconds);
            w.WriteString("outcome", e.Outcome);
            if (e.Reason is { } reason) w.WriteString("reason", reason); else w.WriteNull("reason");
            w.WriteStartArray("evidence");
            foreach (var line in e.Evidence) w.WriteStringValue(line);
            w.WriteEndArray();
            w.WriteString("snapshot_uid", e.SnapshotUid);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
