using System.Text.Encodings.Web;
using System.Text.Json;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>
/// `report --format json`: one typed document with the fixed snake_case names users script
/// against (numbers as numbers, times ISO-8601 UTC, null for unknown). Written by hand, like
/// `collect --json`, so names and types cannot drift. Percentages are rounded to 2 decimals and
/// slopes to 3, so equal histories give byte-equal documents.
/// </summary>
public static class ReportJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter writer, ReportDocument doc)
    {
        using var buffer = new MemoryStream();
        Write(buffer, doc);
        writer.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.Flush();
    }

    public static void Write(Stream stream, ReportDocument doc)
    {
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();

        w.WriteStartObject("window");
        w.WriteString("since", SnapshotJson.IsoTime(doc.Window.Since));
        w.WriteString("until", SnapshotJson.IsoTime(doc.Window.Until));
        w.WriteNumber("snapshots", doc.Window.Snapshots);
        w.WriteStartArray("hosts");
        foreach (var h in doc.Window.Hosts) w.WriteStringValue(h);
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("orphans");
        foreach (var o in doc.Orphans)
        {
            w.WriteStartObject();
            w.WriteString("host", o.Host);
            w.WriteString("kind", o.Kind);
            w.WriteNumber("id", o.Id);
            w.WriteString("key", o.Key);
            w.WriteNumber("owner", o.Owner);
            w.WriteNumber("bytes", o.Bytes);
            w.WriteString("first_seen", SnapshotJson.IsoTime(o.FirstSeen));
            w.WriteString("orphaned_since", SnapshotJson.IsoTime(o.OrphanedSince));
            w.WriteNumber("age_seconds", o.AgeSeconds);
            if (o.CreatorPid is { } pid) w.WriteNumber("creator_pid", pid); else w.WriteNull("creator_pid");
            if (o.CreatorAlive is { } alive) w.WriteBoolean("creator_alive", alive); else w.WriteNull("creator_alive");
            w.WriteString("reason", o.Reason);
            w.WriteString("suggested_command", o.SuggestedCommand);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("growth");
        foreach (var g in doc.Growth)
        {
            w.WriteStartObject();
            w.WriteString("host", g.Host);
            w.WriteString("kind", g.Kind);
            w.WriteNumber("owner", g.Owner);
            w.WriteNumber("start_count", g.StartCount);
            w.WriteNumber("end_count", g.EndCount);
            w.WriteNumber("start_bytes", g.StartBytes);
            w.WriteNumber("end_bytes", g.EndBytes);
            w.WriteNumber("count_slope_per_day", Math.Round(g.CountSlopePerDay, 3));
            w.WriteNumber("bytes_slope_per_day", Math.Round(g.BytesSlopePerDay, 3));
            w.WriteNumber("created", g.Created);
            w.WriteNumber("removed", g.Removed);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("pressure");
        foreach (var p in doc.Pressure)
        {
            w.WriteStartObject();
            w.WriteString("host", p.Host);
            w.WriteString("limit", p.Limit);
            w.WriteNumber("used", p.Used);
            if (p.Max is { } max) w.WriteNumber("max", max); else w.WriteNull("max");
            Percent(w, "percent", p.Percent);
            Percent(w, "peak_percent", p.PeakPercent);
            Time(w, "peak_at", p.PeakAt);
            w.WriteNumber("seconds_above_80", p.SecondsAbove80);
            w.WriteNumber("seconds_above_90", p.SecondsAbove90);
            Time(w, "projected_exhaustion", p.ProjectedExhaustion);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("churn");
        foreach (var c in doc.Churn)
        {
            w.WriteStartObject();
            w.WriteString("host", c.Host);
            w.WriteString("kind", c.Kind);
            w.WriteNumber("created", c.Created);
            w.WriteNumber("removed", c.Removed);
            w.WriteNumber("vanished_while_used", c.VanishedWhileUsed);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void Percent(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x) w.WriteNumber(name, Math.Round(x, 2)); else w.WriteNull(name);
    }

    private static void Time(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v) w.WriteString(name, SnapshotJson.IsoTime(v)); else w.WriteNull(name);
    }
}
