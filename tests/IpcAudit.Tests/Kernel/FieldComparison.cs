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

    /// <summary>An ipcs time with a year ("Sat Nov 21 05:58:01 2026" or "Not set") against an ISO-8601 string or null.</summary>
    public void Time(string what, string ipcs, JsonElement collect, string field) =>
        Text(what + " " + field, Format(IpcsOutput.FullTime(ipcs)), Format(TimeOf(collect, field)));

    /// <summary>Permissions as octal numbers: ipcs -b prints "600", ipcs -i "0600", collect "0600".</summary>
    public void Perms(string what, string ipcs, JsonElement collect) =>
        Text(what + " perms", Octal(ipcs), Octal(collect.GetProperty("perms").GetString()!));

    /// <summary>"label = value" numbers of `ipcs -u` / `ipcs -l` against the fields of one JSON object.</summary>
    public void Labels(string what, IReadOnlyDictionary<string, string> ipcs, JsonElement collect,
        params (string Label, string Field)[] pairs)
    {
        foreach (var (label, field) in pairs) Number(what, IpcsOutput.Number(ipcs, label), collect, field);
    }

    /// <summary>
    /// Every object of one kind against `ipcs -X -i ID`: the uid/gid quartet and <paramref name="numbers"/>
    /// (same name in both), permissions and times (ipcs label, JSON field). Returns each object with its
    /// ipcs text for the kind's own checks.
    /// </summary>
    public IReadOnlyList<(string What, string Ipcs, JsonElement Collect)> Details(KernelRun run, IpcsKind kind,
        string permsLabel, string[] numbers, params (string Label, string Field)[] times)
    {
        var objects = new List<(string, string, JsonElement)>();
        foreach (var o in run.Snapshot.GetProperty(kind.Json).EnumerateArray())
        {
            var id = NumberText(o.GetProperty("id"));
            var what = $"{kind.Json} {id}";
            var text = run.Ipcs(kind.Option, "-i", id);
            var ipcs = IpcsOutput.Details(text);
            foreach (var field in new[] { "uid", "gid", "cuid", "cgid" }.Concat(numbers)) Number(what, ipcs[field], o, field);
            Perms(what, ipcs[permsLabel], o);
            foreach (var (label, field) in times) Time(what, ipcs[label], o, field);
            objects.Add((what, text, o));
        }
        return objects;
    }

    /// <summary>
    /// Every object of one kind against its rows in `ipcs -b`, `-c`, `-p` and `-t`: key, permissions,
    /// the <paramref name="columns"/> of the -b table (ipcs column, JSON field), every pid column
    /// (named as in JSON) and the times.
    /// </summary>
    public void Rows(KernelRun run, IpcsKind kind, params (string Column, string Field)[] columns)
    {
        var objects = IpcsOutput.Section(run.Ipcs("-b"), kind.Objects);
        var owners = IpcsOutput.Section(run.Ipcs("-c"), kind.Owners);
        var times = IpcsOutput.Section(run.Ipcs("-t"), kind.Times);
        var pids = kind.Pids is { } title ? IpcsOutput.Section(run.Ipcs("-p"), title) : null;
        Text(kind.Json + " count", IpcsOutput.Table(objects).Count.ToString(CultureInfo.InvariantCulture),
            run.Snapshot.GetProperty(kind.Json).GetArrayLength().ToString(CultureInfo.InvariantCulture));
        foreach (var o in run.Snapshot.GetProperty(kind.Json).EnumerateArray())
        {
            var id = NumberText(o.GetProperty("id"));
            var what = $"{kind.Json} {id}";
            var row = IpcsOutput.Row(objects, kind.IdColumn, id);
            Text(what + " key", row["key"], o.GetProperty("key").GetString()!);
            Perms(what, row["perms"], o);
            foreach (var (column, field) in columns) Number(what, row[column], o, field);
            Perms(what + " (-c)", IpcsOutput.Row(owners, kind.IdColumn, id)["perms"], o);
            if (pids != null)
                foreach (var (column, value) in IpcsOutput.Row(pids, kind.IdColumn, id).Where(c => c.Key.EndsWith("pid")))
                    Number(what + " (-p)", value, o, column);

            var (_, when) = IpcsOutput.TimeRow(times, id);
            foreach (var (ipcs, field) in when.Zip(kind.TimeFields))
                if (kind.TimesHaveYear) Time(what + " (-t)", ipcs, o, field);
                else Text($"{what} {field} (-t)", ipcs, IpcsOutput.ShortTime(TimeOf(o, field)));
        }
    }

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

    private static string Octal(string text) => Convert.ToString(IpcsOutput.Octal(text), 8).PadLeft(4, '0');

    private static string Format(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "null";
}
