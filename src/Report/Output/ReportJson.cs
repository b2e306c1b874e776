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
    public static void Write(TextWriter writer, ReportDocument doc) => TypedJson.Write(writer, w => Write(w, doc));

    /// <summary>orphans[] and idle[] have the same fields; an idle object has a null orphaned_since and suggested_command.</summary>
    private static void Findings(Utf8JsonWriter w, string name, IReadOnlyList<OrphanFinding> findings)
    {
        w.WriteStartArray(name);
        foreach (var o in findings)
        {
            w.WriteStartObject();
            FindingFields(w, o);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The fields of one orphans[] / idle[] row, inside an object the caller opened (reap's lists add their own).</summary>
    public static void FindingFields(Utf8JsonWriter w, OrphanFinding o)
    {
        w.WriteString("verdict", o.Verdict);
        w.WriteString("host", o.Host);
        NamespaceFields(w, o.Namespace, o.NamespaceLabel);
        w.WriteString("kind", o.Kind);
        // POSIX objects are named and have no id or key; System V rows stay as they were (no name).
        if (o.IsPosix) { w.WriteNull("id"); w.WriteNull("key"); w.WriteString("name", o.Name); }
        else { w.WriteNumber("id", o.Id); w.WriteString("key", o.Key); }
        w.WriteNumber("owner", o.Owner);
        w.WriteStringOrNull("owner_name", o.OwnerName);
        w.WriteStringOrNull("application", o.Application);
        w.WriteNumber("bytes", o.Bytes);
        w.WriteString("first_seen", TypedJson.IsoTime(o.FirstSeen));
        w.WriteString("unused_since", TypedJson.IsoTime(o.UnusedSince));
        w.WriteTime("orphaned_since", o.OrphanedSince);
        w.WriteTime("last_operation", o.LastOperation);
        w.WriteNumber("age_seconds", o.AgeSeconds);
        if (o.CreatorPid is { } pid) w.WriteNumber("creator_pid", pid); else w.WriteNull("creator_pid");
        if (o.CreatorAlive is { } alive) w.WriteBoolean("creator_alive", alive); else w.WriteNull("creator_alive");
        w.WriteString("reason", o.Reason);
        Strings(w, "evidence", o.Evidence);
        Strings(w, "missing", o.Missing);
        FindingProcesses.Write(w, o.Processes);
        if (o.SuggestedCommand is { } command) w.WriteString("suggested_command", command); else w.WriteNull("suggested_command");
    }

    /// <summary>`namespace` (the IPC namespace inode) and `namespace_label`, null when unknown.</summary>
    private static void NamespaceFields(Utf8JsonWriter w, long? inode, string? label)
    {
        if (inode is { } n) w.WriteNumber("namespace", n); else w.WriteNull("namespace");
        w.WriteString("namespace_label", label);
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter w, ReportDocument doc)
    {
        w.WriteStartObject();

        w.WriteStartObject("window");
        w.WriteString("since", TypedJson.IsoTime(doc.Window.Since));
        w.WriteString("until", TypedJson.IsoTime(doc.Window.Until));
        w.WriteNumber("snapshots", doc.Window.Snapshots);
        w.WriteStartArray("hosts");
        foreach (var h in doc.Window.Hosts) w.WriteStringValue(h);
        w.WriteEndArray();
        w.WriteEndObject();

        Findings(w, "orphans", doc.Orphans);
        Findings(w, "idle", doc.Idle);

        w.WriteStartArray("growth");
        foreach (var g in doc.Growth)
        {
            w.WriteStartObject();
            w.WriteString("host", g.Host);
            NamespaceFields(w, g.Namespace, g.NamespaceLabel);
            w.WriteString("kind", g.Kind);
            w.WriteNumber("owner", g.Owner);
            w.WriteNumber("start_count", g.StartCount);
            w.WriteNumber("end_count", g.EndCount);
            w.WriteNumber("start_bytes", g.StartBytes);
            w.WriteNumber("end_bytes", g.EndBytes);
            w.WriteNumber("count_slope_per_day", ReportRounding.Slope(g.CountSlopePerDay));
            w.WriteNumber("bytes_slope_per_day", ReportRounding.Slope(g.BytesSlopePerDay));
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
            NamespaceFields(w, p.Namespace, p.NamespaceLabel);
            w.WriteString("limit", p.Limit);
            w.WriteNumber("used", p.Used);
            if (p.Max is { } max) w.WriteNumber("max", max); else w.WriteNull("max");
            Percent(w, "percent", p.Percent);
            Percent(w, "peak_percent", p.PeakPercent);
            w.WriteTime("peak_at", p.PeakAt);
            w.WriteNumber("seconds_above_80", p.SecondsAbove80);
            w.WriteNumber("seconds_above_90", p.SecondsAbove90);
            w.WriteTime("projected_exhaustion", p.ProjectedExhaustion);
            w.WriteString("role", p.Role);
            w.WriteTime("exhausted_since", p.ExhaustedSince);
            if (p.Trend is { } trend) w.WriteString("trend", trend); else w.WriteNull("trend");
            Number(w, "queue_messages", p.QueueMessages);
            Number(w, "queue_bytes", p.QueueBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("churn");
        foreach (var c in doc.Churn)
        {
            w.WriteStartObject();
            w.WriteString("host", c.Host);
            NamespaceFields(w, c.Namespace, c.NamespaceLabel);
            w.WriteString("kind", c.Kind);
            w.WriteNumber("created", c.Created);
            w.WriteNumber("removed", c.Removed);
            w.WriteNumber("vanished_while_used", c.VanishedWhileUsed);
            w.WriteNumber("sys_uid_max", c.SysUidMax);
            w.WriteBoolean("sys_uid_max_assumed", c.SysUidMaxAssumed);
            w.WriteNumber("reaped", c.Reaped);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, ulong? v)
    {
        if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name);
    }

    private static void Percent(Utf8JsonWriter w, string name, double? v)
    {
        if (ReportRounding.Percent(v) is { } x) w.WriteNumber(name, x); else w.WriteNull(name);
    }

}
