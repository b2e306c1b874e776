using System.Text.Json;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Analysis;

namespace IpcAudit.Report.Output;

/// <summary>`ipcaudit diff A B --json`: typed, with each change as {field, old, new}.</summary>
public static class SnapshotDiffJson
{
    public static void Write(TextWriter writer, SnapshotDiffResult d) => TypedJson.Write(writer, w =>
        {
            w.WriteStartObject();
            Side(w, "from", d.FromId, d.From);
            Side(w, "to", d.ToId, d.To);
            w.WriteBoolean("same_context", d.SameContext);
            Objects(w, "added", d.Added);
            Objects(w, "removed", d.Removed);
            w.WriteStartArray("changed");
            foreach (var c in d.Changed)
            {
                w.WriteStartObject();
                ObjectFields(w, c.Object);
                Changes(w, "changes", c.Changes);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Changes(w, "limits", d.Limits);
            w.WriteEndObject();
        });

    private static void Side(Utf8JsonWriter w, string name, long id, Collector.Model.Snapshot s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("snapshot", id);
        w.WriteString("taken_at", TypedJson.IsoTime(s.TakenAt));
        w.WriteString("host", s.Host.Host);
        w.WriteString("boot_id", s.Host.BootId);
        w.WriteEndObject();
    }

    private static void Objects(Utf8JsonWriter w, string name, IReadOnlyList<DiffObject> objects)
    {
        w.WriteStartArray(name);
        foreach (var o in objects)
        {
            w.WriteStartObject();
            ObjectFields(w, o);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void ObjectFields(Utf8JsonWriter w, DiffObject o)
    {
        w.WriteString("kind", o.Kind);
        w.WriteNumber("id", o.Id);
        w.WriteString("key", o.Key);
        w.WriteNumber("owner", o.Owner);
        w.WriteNumber("size", o.Size);
    }

    private static void Changes(Utf8JsonWriter w, string name, IReadOnlyList<FieldChange> changes)
    {
        w.WriteStartArray(name);
        foreach (var c in changes)
        {
            w.WriteStartObject();
            w.WriteString("field", c.Field);
            Value(w, "old", c.Old);
            Value(w, "new", c.New);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Value(Utf8JsonWriter w, string name, object? v)
    {
        switch (v)
        {
            case null: w.WriteNull(name); break;
            case bool b: w.WriteBoolean(name, b); break;
            case string s: w.WriteString(name, s); break;
            case DateTimeOffset t: w.WriteString(name, TypedJson.IsoTime(t)); break;
            case ulong u: w.WriteNumber(name, u); break;
            case uint u: w.WriteNumber(name, u); break;
            case long l: w.WriteNumber(name, l); break;
            case int i: w.WriteNumber(name, i); break;
            default: w.WriteString(name, Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>A value as the text output shows it.</summary>
    public static string Text(object? v) => v switch
    {
        null => "-",
        bool b => b ? "yes" : "no",
        DateTimeOffset t => TypedJson.IsoTime(t),
        string { Length: 0 } => "\"\"",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "-",
    };
}
