using System.Globalization;
using System.Text;

namespace IpcAudit.Report.Output;

/// <summary>
/// A static SVG line chart: time on x with date labels, values on y with labelled grid lines, one
/// polyline per series. No script: hover titles come from SVG &lt;title&gt; elements.
/// </summary>
internal sealed class SvgLineChart
{
    public const int Width = 580, Height = 240;
    private const int Left = 72, Right = 16, Top = 14, Bottom = 40;
    private const int PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Line(string Name, string CssClass, IReadOnlyList<double> Values);

    private readonly IReadOnlyList<DateTimeOffset> _times;
    private readonly Func<double, string> _formatValue;
    private readonly double _unit;
    private readonly bool _wholeNumbers;

    /// <param name="unit">Ticks are nice numbers in this unit (1024^n for bytes), so labels read "0.5 GiB", not "512.3 MiB".</param>
    /// <param name="wholeNumbers">Counts: no grid line at 2.5 objects.</param>
    public SvgLineChart(IReadOnlyList<DateTimeOffset> times, Func<double, string> formatValue, double unit = 1, bool wholeNumbers = false)
    {
        _wholeNumbers = wholeNumbers;
        _times = times;
        _formatValue = formatValue;
        _unit = unit;
    }

    /// <param name="reboots">Marked with a dashed vertical line: history starts over there.</param>
    public void Write(StringBuilder o, string label, IReadOnlyList<Line> lines, IReadOnlyList<DateTimeOffset>? reboots = null)
    {
        var max = lines.SelectMany(l => l.Values).DefaultIfEmpty(0).Max();
        var (step, top) = NiceAxis(max / _unit, _wholeNumbers);
        step *= _unit; top *= _unit;
        var t0 = _times[0];
        var span = (_times[^1] - t0).TotalSeconds;

        double X(DateTimeOffset t) => Left + (span <= 0 ? PlotWidth / 2.0 : (t - t0).TotalSeconds / span * PlotWidth);
        double Y(double v) => Top + PlotHeight - v / top * PlotHeight;

        o.Append($"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{label}\">\n");
        o.Append($"<title>{label}</title>\n");
        o.Append("<g class=\"grid\">\n");
        for (var v = 0.0; v <= top + step / 2; v += step)
        {
            var y = F(Y(v));
            o.Append($"<line x1=\"{Left}\" y1=\"{y}\" x2=\"{Left + PlotWidth}\" y2=\"{y}\"/>");
            o.Append($"<text class=\"ylabel\" x=\"{Left - 6}\" y=\"{y}\" dy=\"0.32em\">{_formatValue(v)}</text>\n");
        }
        foreach (var (t, text) in TimeTicks(t0, _times[^1]))
        {
            var x = F(X(t));
            o.Append($"<line x1=\"{x}\" y1=\"{Top}\" x2=\"{x}\" y2=\"{Top + PlotHeight}\"/>");
            // The last label may sit on the right edge: anchored at its end there, so it is not cut.
            var anchor = X(t) > Left + PlotWidth - 36 ? " end" : "";
            o.Append($"<text class=\"xlabel{anchor}\" x=\"{x}\" y=\"{Top + PlotHeight + 16}\">{text}</text>\n");
        }
        o.Append("</g>\n");
        o.Append($"<path class=\"axis\" d=\"M{Left},{Top}V{Top + PlotHeight}H{Left + PlotWidth}\"/>\n");
        foreach (var reboot in reboots ?? [])
        {
            var x = F(X(reboot));
            o.Append($"<g class=\"reboot\"><line x1=\"{x}\" y1=\"{Top}\" x2=\"{x}\" y2=\"{Top + PlotHeight}\"/>")
                .Append($"<text x=\"{x}\" y=\"{Top + 10}\" dx=\"3\">reboot</text><title>reboot: first snapshot of a new boot</title></g>\n");
        }
        foreach (var line in lines)
        {
            var points = string.Join(' ', line.Values.Select((v, i) => F(X(_times[i])) + "," + F(Y(v))));
            o.Append($"<polyline class=\"{line.CssClass}\" points=\"{points}\"><title>{line.Name}</title></polyline>\n");
            if (line.Values.Count == 1)
                o.Append($"<circle class=\"{line.CssClass}\" cx=\"{F(X(_times[0]))}\" cy=\"{F(Y(line.Values[0]))}\" r=\"3\"/>\n");
        }
        o.Append($"<text class=\"xlabel\" x=\"{Left + PlotWidth / 2}\" y=\"{Height - 4}\">time (UTC)</text>\n");
        o.Append("</svg>\n");
    }

    /// <summary>About four grid steps of 1, 2, 2.5 or 5 times a power of ten, covering max.</summary>
    internal static (double Step, double Top) NiceAxis(double max, bool wholeNumbers)
    {
        if (max <= 0) return (1, 1);
        var raw = max / 4;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        if (wholeNumbers && step % 1 != 0) step = Math.Max(1, Math.Ceiling(step));
        return (step, Math.Ceiling(max / step - 1e-9) * step);
    }

    /// <summary>At most six labelled instants on whole hours or days (UTC).</summary>
    private static IEnumerable<(DateTimeOffset, string)> TimeTicks(DateTimeOffset from, DateTimeOffset to)
    {
        var span = to - from;
        if (span <= TimeSpan.Zero) { yield return (from, from.UtcDateTime.ToString("MMM d HH:mm", Inv)); yield break; }
        TimeSpan[] steps = [TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
            TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(30)];
        var step = steps.FirstOrDefault(s => span / s <= 6, steps[^1]);
        var ticks = from.UtcTicks % step.Ticks == 0 ? from.UtcTicks : from.UtcTicks - from.UtcTicks % step.Ticks + step.Ticks;
        var format = step >= TimeSpan.FromDays(1) ? "MMM d" : "MMM d HH:mm";
        for (var t = new DateTimeOffset(ticks, TimeSpan.Zero); t <= to; t += step)
            yield return (t, t.UtcDateTime.ToString(format, Inv));
    }

    private static string F(double v) => v.ToString("0.#", Inv);
}
