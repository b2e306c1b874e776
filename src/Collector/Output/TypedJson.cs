using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IpcAudit.Collector.Output;

/// <summary>
/// What every JSON document of ours shares: indented, readable command lines (the writer still
/// escapes what JSON requires), ISO-8601 UTC times, and null — never 0 — for unknown values.
/// </summary>
public static class TypedJson
{
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Builds a document with a Utf8JsonWriter and hands it to a TextWriter (stdout, a file), ending with a newline.</summary>
    public static void Write(TextWriter writer, Action<Utf8JsonWriter> document)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options)) document(w);
        writer.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.WriteLine();
        writer.Flush();
    }

    /// <summary>ISO-8601 UTC with milliseconds, e.g. 2026-11-21T06:00:00.000Z.</summary>
    public static string IsoTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static void WriteTime(this Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v) w.WriteString(name, IsoTime(v)); else w.WriteNull(name);
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, ulong? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, long? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, uint? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    public static void WriteNumberOrNull(this Utf8JsonWriter w, string name, int? v) { if (v is { } x) w.WriteNumber(name, x); else w.WriteNull(name); }
    public static void WriteStringOrNull(this Utf8JsonWriter w, string name, string? v) { if (v is not null) w.WriteString(name, v); else w.WriteNull(name); }
    public static void WriteBooleanOrNull(this Utf8JsonWriter w, string name, bool? v) { if (v is { } x) w.WriteBoolean(name, x); else w.WriteNull(name); }
}
