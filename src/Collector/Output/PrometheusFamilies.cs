namespace IpcAudit.Collector.Output;

/// <summary>
/// Writes gauge families of the text exposition format one at a time: HELP, TYPE, then its samples
/// together, as the format requires; a family without samples is left out.
/// </summary>
public sealed class PrometheusFamilies(TextWriter w)
{
    /// <summary>One line of a family: its labels (already escaped, null for none) and value.</summary>
    public readonly record struct Sample(string? Labels, double Value);

    /// <summary>name="value" with the value escaped as the format says (backslash, quote, newline).</summary>
    public static string Label(string name, string value) => $"{name}=\"{EscapeLabel(value)}\"";

    private static string EscapeLabel(string v) => v.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");

    private static string EscapeHelp(string v) => v.Replace("\\", @"\\").Replace("\n", @"\n");

    public void Gauge(string name, string help, IEnumerable<Sample> samples)
    {
        var list = samples.ToList();
        if (list.Count == 0) return;
        w.WriteLine($"# HELP {name} {EscapeHelp(help)}");
        w.WriteLine($"# TYPE {name} gauge");
        foreach (var (labels, value) in list)
            w.WriteLine(labels is null ? $"{name} {PrometheusTextfile.FormatValue(value)}" : $"{name}{{{labels}}} {PrometheusTextfile.FormatValue(value)}");
    }
}
