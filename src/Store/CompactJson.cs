using System.Text;
using System.Text.Json;
using IpcAudit.Collector.Model;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Store;

/// <summary>
/// The two list columns (semaphores, attached pids) stored as compact JSON arrays: small on disk,
/// readable with SQLite's json_each, and cheap to build without a serializer.
/// </summary>
internal static class CompactJson
{
    public static string? Pids(IReadOnlyList<int>? pids)
    {
        if (pids is null) return null;
        var sb = new StringBuilder(2 + pids.Count * 6).Append('[');
        for (var i = 0; i < pids.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(pids[i]);
        }
        return sb.Append(']').ToString();
    }

    public static string? Semaphores(IReadOnlyList<Semaphore>? sems)
    {
        if (sems is null) return null;
        var sb = new StringBuilder(2 + sems.Count * 16).Append('[');
        for (var i = 0; i < sems.Count; i++)
        {
            var s = sems[i];
            if (i > 0) sb.Append(',');
            sb.Append('[').Append(s.Value).Append(',').Append(s.Ncount).Append(',').Append(s.Zcount).Append(',').Append(s.Pid).Append(']');
        }
        return sb.Append(']').ToString();
    }

    public static int[]? ParsePids(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, CompactJsonContext.Default.Int32Array);

    public static Semaphore[]? ParseSemaphores(string? json)
    {
        if (json is null) return null;
        var rows = JsonSerializer.Deserialize(json, CompactJsonContext.Default.Int32ArrayArray)!;
        var result = new Semaphore[rows.Length];
        for (var i = 0; i < rows.Length; i++)
            result[i] = new Semaphore(i, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
        return result;
    }

    public static string? Strings(IReadOnlyList<string> items) =>
        items.Count == 0 ? null : JsonSerializer.Serialize(items.ToArray(), CompactJsonContext.Default.StringArray);

    public static string[] ParseStrings(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize(json, CompactJsonContext.Default.StringArray)!;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int[][]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal partial class CompactJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
