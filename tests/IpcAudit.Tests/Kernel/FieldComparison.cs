using System.Globalization;
using System.Text.Json;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// Compares `collect --json` with ipcs field by field and reports every difference at once,
/// as "shm 3 nattch: ipcs 1, collect 0", so one run names every wrong field.
/// </summary>
internal sealed class FieldComparison
{
    private readonly List<string> _differences = [];

    /// <summary>A JSON number against the decimal text ipcs printed.</summary>
    public void Number(string what, string ipcs, JsonElement collect, string field) =>
        Text(what + " " + field, ipcs, NumberText(collect.GetProperty(field)));

    public void Number(string what, ulong expected, JsonElement collect, string field) =>
        Number(what, expected.ToString(CultureInfo.InvariantCulture), collect, field);

    /// <summary>An ipcs -i time ("Sat Nov 21 05:58:01 2026" or "Not set") against an ISO-8601 string or null.</summary>
    public void Time(string what, string ipcs, JsonElement collect, string field) =>
        Text(what + " " + field, Format(IpcsOutput.FullTime(ipcs)), Format(TimeOf(collect, field)));

    public void Text(string what, string expected, string actual)
    {
        if (expected != actual) _differences.Add($"{what}: ipcs {expected}, collect {actual}");
    }

    public void AssertNone() =>
        Assert.True(_differences.Count == 0, "collect --json differs from ipcs:\n" + string.Join('\n', _differences));

    public static DateTimeOffset? TimeOf(JsonElement o, string field) =>
        o.GetProperty(field) is { ValueKind: JsonValueKind.String } t
            ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture)
            : null;

    public static string NumberText(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetRawText() : $"<{value.ValueKind} {value.GetRawText()}>";

    private static string Format(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "null";
}
