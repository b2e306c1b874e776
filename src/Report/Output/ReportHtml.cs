using System.Globalization;
using System.Text;
using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>
/// `report --format html`: one self-contained page for a capacity review. Inline CSS and SVG only:
/// no script, font, image or link to any other host (the CSP says so too), readable offline and
/// printable. Times are UTC so the page reads the same wherever it is sent; the output depends only
/// on the document, so it can be compared byte for byte.
/// </summary>
public static partial class ReportHtml
{
    private const int WorstOrphans = 5, BarWidth = 420, BarHeight = 18;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    public static void Write(TextWriter output, ReportDocument doc)
    {
        // Built whole, then written once: a failure leaves nothing half-written in the output.
        var o = new StringBuilder(64 * 1024);
        var w = doc.Window;
        var window = $"{Time(w.Since)} to {Time(w.Until)}";
        o.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        o.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        o.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        o.Append($"<title>IpcAudit report {window}</title>\n<style>\n{Css}</style>\n</head>\n<body>\n");

        o.Append("<header>\n<h1>IpcAudit report</h1>\n");
        o.Append($"<p class=\"window\">{window} &middot; {Plural(w.Snapshots, "snapshot")} &middot; {Plural(w.Hosts.Count, "host")}");
        if (w.Hosts.Count > 0) o.Append(": ").Append(string.Join(", ", w.Hosts.Select(HtmlText.Encode)));
        o.Append("</p>\n</header>\n");

        Summary(o, doc);
        o.Append("<nav><a href=\"#charts\">Objects over time</a><a href=\"#orphans\">Orphans</a><a href=\"#idle\">Idle</a>");
        o.Append("<a href=\"#growth\">Growth</a><a href=\"#pressure\">Pressure</a><a href=\"#churn\">Churn</a></nav>\n");
        Charts(o, doc);
        OrphanTable(o, doc);
        IdleTable(o, doc);
        GrowthTable(o, doc);
        PressureTable(o, doc);
        ChurnTable(o, doc);

        o.Append($"<footer>IpcAudit report for the window ending {Time(w.Until)}. All times UTC. ");
        o.Append("Orphan ages count an unbroken run of snapshots of one boot; projections assume the last day's trend of the latest boot holds.</footer>\n");
        o.Append("</body>\n</html>\n");
        output.Write(o.ToString());
    }

    private static void Summary(StringBuilder o, ReportDocument doc)
    {
        o.Append("<section class=\"summary\">\n");
        var worst = ReportRanking.Orphans(doc.Orphans).Take(WorstOrphans).ToList();
        o.Append($"<div class=\"card{(worst.Count > 0 ? " alert" : "")}\">\n<h2>Worst orphans</h2>\n");
        if (worst.Count == 0) o.Append("<p class=\"none\">No orphaned objects in this window.</p>\n");
        else
        {
            o.Append($"<p class=\"muted\">{Plural(doc.Orphans.Count, "orphaned object")}; the worst by bytes &times; age:</p>\n<ol>\n");
            foreach (var f in worst)
                o.Append($"<li><b>{HtmlText.Encode(f.Host)}</b> {HtmlText.Encode(f.Kind)} {FindingLabel.Id(f)} <span class=\"mono\">{HtmlText.Encode(FindingLabel.Key(f))}</span>: ")
                    .Append($"{Readable.Bytes(f.Bytes)}, orphaned {Readable.Age(f.AgeSeconds)} &mdash; {HtmlText.Encode(PageTimes(f.Reason))}. ")
                    .Append($"<code>{HtmlText.Encode(f.SuggestedCommand)}</code></li>\n");
            o.Append("</ol>\n");
        }
        o.Append("</div>\n");

        var closest = ReportRanking.ClosestToExhaustion(doc.Pressure);
        var first = ReportRanking.FirstProjectedExhaustion(doc.Pressure);
        var level = closest?.Percent is { } cp ? Level(cp) : "ok";
        o.Append($"<div class=\"card {(level == "ok" ? "" : level)}\">\n<h2>Closest to exhaustion</h2>\n");
        if (closest is null) o.Append("<p class=\"none\">No limit could be read.</p>\n");
        else
        {
            o.Append($"<p class=\"headline\"><b>{HtmlText.Encode(closest.Limit)}</b> on <b>{HtmlText.Encode(closest.Host)}</b>: ")
                .Append($"{Used(closest)} of {Max(closest)} ({Pct(closest.Percent)})</p>\n");
            Bar(o, closest);
            o.Append("\n<p>");
            if (closest.PeakAt is { } at) o.Append($"Peak {Pct(closest.PeakPercent)} at {Time(at)}. ");
            if (closest.SecondsAbove90 > 0) o.Append($"Above 90 % for {Readable.Age(closest.SecondsAbove90)}. ");
            o.Append(closest switch
            {
                { ExhaustedSince: { } since } => $"Exhausted since {Time(since)}.",
                { ProjectedExhaustion: { } x } => $"Runs out around {Time(x)} if the last day's trend holds.",
                _ => HtmlText.Encode(Capitalized(PressureText.Outlook(closest, Time))) + ".",
            });
            o.Append("</p>\n");
            if (first is not null && first != closest)
                o.Append($"<p>First to run out if trends hold: <b>{HtmlText.Encode(first.Limit)}</b> on <b>{HtmlText.Encode(first.Host)}</b> ")
                    .Append($"around {Time(first.ProjectedExhaustion!.Value)} (now {Pct(first.Percent)}).</p>\n");
        }
        o.Append("</div>\n</section>\n");
    }

    private static void Charts(StringBuilder o, ReportDocument doc)
    {
        o.Append("<section id=\"charts\">\n<h2>Objects over the window</h2>\n");
        if (doc.Series.Count == 0) o.Append("<p class=\"none\">No snapshots in this window.</p>\n");
        foreach (var s in doc.Series)
        {
            var host = HtmlText.Encode(s.Host);
            o.Append($"<h3>{host}</h3>\n");
            if (s.Points.Count == 0) { o.Append("<p class=\"none\">No snapshots of this host in the window.</p>\n"); continue; }
            var times = s.Points.Select(p => p.At).ToList();
            o.Append("<div class=\"charts\">\n");

            o.Append("<figure>\n<figcaption>Objects</figcaption>\n");
            var last = s.Points[^1];
            Legend(o, ("shm", $"shared memory segments ({last.ShmCount} at end)"), ("sem", $"semaphore arrays ({last.SemCount})"),
                ("msg", $"message queues ({last.MsgCount})"));
            new SvgLineChart(times, v => Readable.Count(v), wholeNumbers: true).Write(o, $"{host}: objects over time",
            [
                new("shared memory segments", "shm", s.Points.Select(p => (double)p.ShmCount).ToList()),
                new("semaphore arrays", "sem", s.Points.Select(p => (double)p.SemCount).ToList()),
                new("message queues", "msg", s.Points.Select(p => (double)p.MsgCount).ToList()),
            ], s.Reboots);
            o.Append("</figure>\n");

            // Each byte series on its own axis: a queue backlog of kilobytes would be a flat line at 0 beside gigabytes of shared memory.
            o.Append("<figure>\n<figcaption>Shared memory bytes</figcaption>\n");
            Legend(o, ("shm", $"shared memory ({Readable.Bytes(last.ShmBytes)} at end)"));
            new SvgLineChart(times, v => Readable.Bytes(v), ByteUnit(s.Points.Max(p => (double)p.ShmBytes))).Write(o, $"{host}: shared memory bytes over time",
                [new("shared memory bytes", "shm", s.Points.Select(p => (double)p.ShmBytes).ToList())], s.Reboots);
            o.Append("</figure>\n");

            o.Append("<figure>\n<figcaption>Queued message bytes</figcaption>\n");
            Legend(o, ("msg", $"queued messages ({Readable.Bytes(last.MsgBytes)} at end)"));
            new SvgLineChart(times, v => Readable.Bytes(v), ByteUnit(s.Points.Max(p => (double)p.MsgBytes))).Write(o, $"{host}: queued message bytes over time",
                [new("queued message bytes", "msg", s.Points.Select(p => (double)p.MsgBytes).ToList())], s.Reboots);
            o.Append("</figure>\n</div>\n");
        }
        o.Append("</section>\n");
    }

    private static void Legend(StringBuilder o, params (string Css, string Name)[] items)
    {
        o.Append("<div class=\"legend\">");
        foreach (var (css, name) in items) o.Append($"<span><i class=\"sw {css}\"></i>{name}</span>");
        o.Append("</div>\n");
    }

    /// <summary>The power of 1024 that the largest value reaches, so the axis ticks fall on whole units.</summary>
    private static double ByteUnit(double max)
    {
        var unit = 1.0;
        while (max >= unit * 1024 && unit < Math.Pow(1024, 6)) unit *= 1024;
        return unit;
    }

    private static string BarOf(PressureRow p)
    {
        var o = new StringBuilder();
        Bar(o, p);
        return o.ToString();
    }

    private static void Bar(StringBuilder o, PressureRow p)
    {
        o.Append($"<svg class=\"bar\" viewBox=\"0 0 {BarWidth} {BarHeight}\" width=\"{BarWidth}\" height=\"{BarHeight}\" role=\"img\" ")
            .Append($"aria-label=\"{HtmlText.Encode(p.Limit)} {Pct(p.Percent)}\">");
        o.Append($"<rect class=\"track\" width=\"{BarWidth}\" height=\"{BarHeight}\" rx=\"3\"/>");
        if (p.Percent is { } now)
            o.Append($"<rect class=\"fill {(p.Role == LimitRoles.Cap ? "info" : Level(now))}\" width=\"{X(now)}\" height=\"{BarHeight}\" rx=\"3\"/>");
        foreach (var mark in new[] { 80.0, 90.0 })
            o.Append($"<line class=\"threshold\" x1=\"{X(mark)}\" y1=\"0\" x2=\"{X(mark)}\" y2=\"{BarHeight}\"/>");
        if (p.PeakPercent is { } peak)
            o.Append($"<line class=\"peak\" x1=\"{X(peak)}\" y1=\"0\" x2=\"{X(peak)}\" y2=\"{BarHeight}\"><title>peak {Pct(peak)}</title></line>");
        if (p.Max is null) o.Append($"<text x=\"6\" y=\"13\">maximum not readable</text>");
        o.Append("</svg>");

        static string X(double percent) => (Math.Clamp(percent, 0, 100) / 100 * BarWidth).ToString("0.#", Inv);
    }

    private static void OrphanTable(StringBuilder o, ReportDocument doc)
    {
        Heading(o, "orphans", $"Orphans ({doc.Orphans.Count})", "Objects nobody alive uses, worst first by bytes &times; age. Times UTC.");
        if (doc.Orphans.Count == 0) { None(o); return; }
        o.Append("<table>\n<thead><tr><th>host</th><th>kind</th><th class=\"num\">id</th><th>key</th><th>owner</th><th>application</th>")
            .Append("<th class=\"num\">bytes</th><th class=\"num\">age</th><th>first seen</th><th>orphaned since</th><th>creator</th>")
            .Append("<th>reason and process</th><th>suggested command</th></tr></thead>\n<tbody>\n");
        foreach (var f in ReportRanking.Orphans(doc.Orphans))
        {
            var creator = f.CreatorPid is not { } pid ? "&ndash;"
                : pid.ToString(Inv) + (f.CreatorAlive switch { true => " alive", false => " dead", null => "" });
            o.Append($"<tr><td>{HtmlText.Encode(f.Host)}</td><td>{HtmlText.Encode(f.Kind)}</td><td class=\"num\">{FindingLabel.Id(f)}</td>")
                .Append($"<td class=\"mono\">{HtmlText.Encode(FindingLabel.Key(f))}</td><td>{HtmlText.Encode(ReportTable.OwnerText(f))}</td><td>{HtmlText.Encode(f.Application ?? "–")}</td>")
                .Append($"<td class=\"num\" title=\"{f.Bytes} bytes\">{Readable.Bytes(f.Bytes)}</td>")
                .Append($"<td class=\"num\" title=\"{f.AgeSeconds} s\">{Readable.Age(f.AgeSeconds)}</td>")
                .Append($"<td class=\"time\">{CellTime(f.FirstSeen)}</td><td class=\"time\">{CellTime(f.OrphanedSince!.Value)}</td><td>{creator}</td>")
                .Append($"<td>{HtmlText.Encode(PageTimes(f.Reason))}")
                .Append(f.CreatorCommand is null ? "" : $"<div class=\"mono cmd\">{HtmlText.Encode(f.CreatorCommand)}</div>");
            EvidenceList(o, "evidence", f.Evidence);
            ProcessList(o, f.Processes);
            o.Append("</td>")
                .Append($"<td><code>{HtmlText.Encode(f.SuggestedCommand)}</code></td></tr>\n");
        }
        o.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void GrowthTable(StringBuilder o, ReportDocument doc)
    {
        Heading(o, "growth", $"Growth ({doc.Growth.Count})", "Per host, kind and owner; slopes by least squares over every snapshot in the window. Size is bytes for shared memory and queues, semaphores for semaphore arrays.");
        if (doc.Growth.Count == 0) { None(o); return; }
        o.Append("<table>\n<thead><tr><th>host</th><th>kind</th><th class=\"num\">owner</th><th class=\"num\">count at start</th>")
            .Append("<th class=\"num\">count at end</th><th class=\"num\">count / day</th><th class=\"num\">size at start</th>")
            .Append("<th class=\"num\">size at end</th><th class=\"num\">size / day</th><th class=\"num\">created</th>")
            .Append("<th class=\"num\">removed</th></tr></thead>\n<tbody>\n");
        foreach (var g in doc.Growth)
            o.Append($"<tr><td>{HtmlText.Encode(g.Host)}</td><td>{HtmlText.Encode(g.Kind)}</td><td class=\"num\">{g.Owner}</td>")
                .Append($"<td class=\"num\">{g.StartCount}</td><td class=\"num\">{g.EndCount}</td>")
                .Append($"<td class=\"num{Trend(g.CountSlopePerDay)}\">{Signed(g.CountSlopePerDay, Readable.Number)}</td>")
                .Append($"<td class=\"num\" title=\"{g.StartBytes}\">{Readable.Size(g.Kind, g.StartBytes)}</td>")
                .Append($"<td class=\"num\" title=\"{g.EndBytes}\">{Readable.Size(g.Kind, g.EndBytes)}</td>")
                .Append($"<td class=\"num{Trend(g.BytesSlopePerDay)}\">{Signed(g.BytesSlopePerDay, v => Readable.Size(g.Kind, v))}</td>")
                .Append($"<td class=\"num\">{g.Created}</td><td class=\"num\">{g.Removed}</td></tr>\n");
        o.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void PressureTable(StringBuilder o, ReportDocument doc)
    {
        var pools = PressureText.Pools(doc.Pressure).ToList();
        Heading(o, "pressure", $"Limit pressure ({pools.Count})", "Limits as <code>lsipc -g</code> names them; SHMALL counts pages. The bar is use at the end of the window against the maximum; the black mark is the peak; thin marks at 80 % and 90 %; MSGMNB is the fullest queue, charged the larger of its bytes and its messages. Runs out: when the limit is reached if the last day's trend of the latest boot holds. Times UTC.");
        if (doc.Pressure.Count == 0) { None(o); return; }
        o.Append("<table>\n<thead><tr><th>host</th><th>limit</th><th class=\"num\">used</th><th class=\"num\">max</th>")
            .Append("<th class=\"num\">use</th><th class=\"bar\"></th><th class=\"num\">peak</th><th>peak at</th><th class=\"num\">above 80 %</th>")
            .Append("<th class=\"num\">above 90 %</th><th>runs out</th></tr></thead>\n<tbody>\n");
        foreach (var p in pools)
            o.Append($"<tr><td>{HtmlText.Encode(p.Host)}</td><td>{HtmlText.Encode(p.Limit)}</td>")
                .Append($"<td class=\"num\" title=\"{p.Used}\">{Used(p)}</td><td class=\"num\" title=\"{p.Max}\">{Max(p)}</td>")
                .Append($"<td class=\"num {(p.Percent is { } v ? Level(v) : "")}\">{Pct(p.Percent)}</td><td class=\"bar\">{BarOf(p)}</td>")
                .Append($"<td class=\"num\">{Pct(p.PeakPercent)}</td><td class=\"time\">{(p.PeakAt is { } at ? CellTime(at) : "&ndash;")}</td>")
                .Append($"<td class=\"num\">{Span(p.SecondsAbove80)}</td><td class=\"num\">{Span(p.SecondsAbove90)}</td>")
                .Append($"<td class=\"time\">{HtmlText.Encode(PressureText.Outlook(p, CellTime))}</td></tr>\n");
        o.Append("</tbody>\n</table>\n");
        var caps = PressureText.Caps(doc.Pressure).ToList();
        if (caps.Count > 0)
        {
            o.Append("<h3>Caps on one object</h3>\n<p class=\"muted\">Information, not pressure: SHMMAX bounds one segment and SEMMSL one array, ")
                .Append("so an object at its cap (an Oracle SGA sized to SHMMAX) is how it was configured.</p>\n");
            o.Append("<table>\n<thead><tr><th>host</th><th>limit</th><th class=\"num\">largest object</th><th class=\"num\">cap</th>")
                .Append("<th class=\"num\">use</th><th class=\"num\">peak</th><th>peak at</th></tr></thead>\n<tbody>\n");
            foreach (var p in caps)
                o.Append($"<tr><td>{HtmlText.Encode(p.Host)}</td><td>{HtmlText.Encode(p.Limit)}</td>")
                    .Append($"<td class=\"num\" title=\"{p.Used}\">{Used(p)}</td><td class=\"num\" title=\"{p.Max}\">{Max(p)}</td>")
                    .Append($"<td class=\"num\">{Pct(p.Percent)}</td><td class=\"num\">{Pct(p.PeakPercent)}</td>")
                    .Append($"<td class=\"time\">{(p.PeakAt is { } at ? CellTime(at) : "&ndash;")}</td></tr>\n");
            o.Append("</tbody>\n</table>\n");
        }
        o.Append("</section>\n");
    }

    private static void ChurnTable(StringBuilder o, ReportDocument doc)
    {
        Heading(o, "churn", $"Churn ({doc.Churn.Count})",
            "Objects created and removed in the window. Vanished while used: removed while a process that used it was alive, the way systemd-logind <code>RemoveIPC=yes</code> removes a user&rsquo;s objects (a uid above SYS_UID_MAX, unattached segments, all of the uid&rsquo;s objects at once); other removals are plain.");
        if (doc.Churn.Count == 0) { None(o); return; }
        foreach (var host in doc.Churn.Where(c => c.SysUidMaxAssumed).Select(c => c.Host).Distinct())
            o.Append($"<p class=\"muted\">{HtmlText.Encode(host)}: SYS_UID_MAX not set in its login.defs or not collected; uids up to 999, the default, taken as system accounts.</p>\n");
        o.Append("<table>\n<thead><tr><th>host</th><th>kind</th><th class=\"num\">created</th><th class=\"num\">removed</th>")
            .Append("<th class=\"num\">vanished while used</th></tr></thead>\n<tbody>\n");
        foreach (var c in doc.Churn)
            o.Append($"<tr><td>{HtmlText.Encode(c.Host)}</td><td>{HtmlText.Encode(c.Kind)}</td><td class=\"num\">{c.Created}</td>")
                .Append($"<td class=\"num\">{c.Removed}</td><td class=\"num{(c.VanishedWhileUsed > 0 ? " bad" : "")}\">{c.VanishedWhileUsed}</td></tr>\n");
        o.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void IdleTable(StringBuilder o, ReportDocument doc)
    {
        Heading(o, "idle", $"Idle ({doc.Idle.Count})",
            "Unused for at least the orphan age, but nothing proves the holder gone: what is missing for a verdict, and what is known. Never removed on this report's word. Times UTC.");
        if (doc.Idle.Count == 0) { None(o); return; }
        o.Append("<table>\n<thead><tr><th>host</th><th>kind</th><th class=\"num\">id</th><th>key</th><th>owner</th><th>application</th>")
            .Append("<th class=\"num\">bytes</th><th class=\"num\">idle</th><th>unused since</th><th>missing for a verdict, and evidence</th></tr></thead>\n<tbody>\n");
        foreach (var f in doc.Idle)
        {
            o.Append($"<tr><td>{HtmlText.Encode(f.Host)}</td><td>{HtmlText.Encode(f.Kind)}</td><td class=\"num\">{FindingLabel.Id(f)}</td>")
                .Append($"<td class=\"mono\">{HtmlText.Encode(FindingLabel.Key(f))}</td><td>{HtmlText.Encode(ReportTable.OwnerText(f))}</td><td>{HtmlText.Encode(f.Application ?? "–")}</td>")
                .Append($"<td class=\"num\" title=\"{f.Bytes} bytes\">{Readable.Bytes(f.Bytes)}</td>")
                .Append($"<td class=\"num\" title=\"{f.AgeSeconds} s\">{Readable.Age(f.AgeSeconds)}</td>")
                .Append($"<td class=\"time\">{CellTime(f.UnusedSince)}</td><td>");
            EvidenceList(o, "missing", f.Missing);
            EvidenceList(o, "evidence", f.Evidence);
            ProcessList(o, f.Processes);
            o.Append("</td></tr>\n");
        }
        o.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void ProcessList(StringBuilder o, IReadOnlyList<ObjectProcess> processes)
    {
        if (processes.Count > 0) o.Append($"<div class=\"mono cmd\">processes: {HtmlText.Encode(FindingProcesses.Text(processes))}</div>");
    }

    private static void EvidenceList(StringBuilder o, string cls, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) return;
        o.Append($"<ul class=\"{cls}\">");
        foreach (var line in lines) o.Append("<li>").Append(HtmlText.Encode(PageTimes(line))).Append("</li>");
        o.Append("</ul>");
    }

    private static void Heading(StringBuilder o, string id, string title, string note) =>
        o.Append($"<section id=\"{id}\">\n<h2>{title}</h2>\n<p class=\"muted\">{note}</p>\n");

    private static void None(StringBuilder o) => o.Append("<p class=\"none\">none</p>\n</section>\n");

    private static string Level(double percent) => percent >= 90 ? "bad" : percent >= 80 ? "warn" : "ok";

    private static string Trend(double slope) => slope > 0 ? " up" : "";

    private static string Used(PressureRow p) => HtmlText.Encode(PressureText.Used(p));

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Max(PressureRow p) => p.Max is { } m ? HtmlText.Encode(Readable.LimitValue(p.Limit, m)) : "unknown";

    private static string Span(long seconds) => seconds > 0 ? Readable.Age(seconds) : "&ndash;";

    private static string Signed(double v, Func<double, string> format) => v > 0 ? "+" + format(v) : v < 0 ? "&minus;" + format(-v) : "0";

    private static string Time(DateTimeOffset t) => Readable.Time(t, Utc);

    /// <summary>ISO-8601 times inside a reason ("last used 2026-11-20T04:00:00.000Z") as the page writes times: "2026-11-20 04:00".</summary>
    private static string PageTimes(string text) => IsoTime().Replace(text, m =>
        DateTimeOffset.TryParse(m.Value, Inv, DateTimeStyles.AdjustToUniversal, out var t) ? CellTime(t) : m.Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z")]
    private static partial System.Text.RegularExpressions.Regex IsoTime();

    /// <summary>Table cells leave the zone to the column header, so a time fits on one line.</summary>
    private static string CellTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv);

    /// <summary>Percent texts such as "&lt; 0.1 %" hold markup characters of their own.</summary>
    private static string Pct(double? percent) => HtmlText.Encode(Readable.Percent(percent));

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(Inv)} {noun}s";

    private const string Css = """
        :root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
          --shm: #0072b2; --sem: #d55e00; --msg: #009e73; --ok: #2da44e; --warn: #d4a72c; --bad: #cf222e; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--ink);
          max-width: 1260px; margin: 24px auto; padding: 0 20px; background: #fff; }
        h1 { font-size: 24px; margin: 0 0 2px; }
        h2 { font-size: 18px; margin: 28px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        p { margin: 4px 0; }
        .window, .muted, .none { color: var(--muted); }
        .none { font-style: italic; }
        .mono, code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
        code { background: #eff2f5; padding: 0 3px; border-radius: 3px; }
        .summary { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; margin-top: 16px; }
        .card { border: 1px solid var(--line); border-left: 5px solid var(--ok); border-radius: 6px; padding: 10px 16px; background: var(--panel); }
        .card.alert, .card.bad { border-left-color: var(--bad); }
        .card.warn { border-left-color: var(--warn); }
        .card h2 { font-size: 16px; margin: 0 0 6px; padding: 0; border: 0; }
        .card ol { margin: 4px 0; padding-left: 22px; }
        .card li { margin: 3px 0; }
        .headline { font-size: 16px; }
        nav { margin: 18px 0 0; padding: 8px 0; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
        nav a { margin-right: 18px; color: #0550ae; text-decoration: none; }
        .charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 24px; }
        @media (max-width: 1000px) { .charts, .summary { grid-template-columns: minmax(0, 1fr); } }
        svg.bar { max-width: 100%; height: auto; }
        figure { margin: 0; min-width: 0; }
        svg.chart { width: 100%; height: auto; max-width: 580px; }
        figcaption { font-weight: 600; }
        .legend { font-size: 12px; color: var(--muted); margin: 2px 0; min-height: 3em; }
        .legend span { margin-right: 14px; white-space: nowrap; }
        .sw { display: inline-block; width: 18px; height: 3px; margin-right: 5px; vertical-align: middle; }
        .sw.shm { height: 5px; background: var(--shm); opacity: .45; }
        .sw.sem { background: repeating-linear-gradient(90deg, var(--sem) 0 8px, transparent 8px 12px); }
        .sw.msg { background: repeating-linear-gradient(90deg, var(--msg) 0 2px, transparent 2px 6px); }
        svg.chart .grid line { stroke: #e4e8ec; stroke-width: 1; }
        svg.chart text { font-size: 11px; fill: var(--muted); }
        svg.chart .ylabel { text-anchor: end; }
        svg.chart .xlabel { text-anchor: middle; } svg.chart .xlabel.end { text-anchor: end; }
        svg.chart .reboot line { stroke: var(--ink); stroke-width: 1; stroke-dasharray: 4 3; }
        svg.chart .reboot text { fill: var(--ink); font-size: 10px; }
        svg.chart .axis { fill: none; stroke: #8c959f; stroke-width: 1; }
        svg.chart polyline { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        /* Coinciding series stay visible: a wide pale line under a dashed one under a dotted one. */
        polyline.shm { stroke: var(--shm); stroke-width: 5; stroke-opacity: .45; }
        polyline.sem { stroke: var(--sem); stroke-dasharray: 8 4; }
        polyline.msg { stroke: var(--msg); stroke-dasharray: 2 4; }
        circle.shm { fill: var(--shm); } circle.sem { fill: var(--sem); } circle.msg { fill: var(--msg); }
        td.bar svg.bar { width: 100px; height: 12px; display: block; }
        @media (max-width: 1000px) { th.bar, td.bar { display: none; } }
        svg.bar .track { fill: #e6eaef; }
        svg.bar .fill.info { fill: #8c959f; }
        svg.bar .fill.ok { fill: var(--ok); } svg.bar .fill.warn { fill: var(--warn); } svg.bar .fill.bad { fill: var(--bad); }
        svg.bar .threshold { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 2 2; }
        svg.bar .peak { stroke: var(--ink); stroke-width: 3; }
        svg.bar text { font-size: 11px; fill: var(--muted); }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 6px; }
        th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { background: var(--panel); font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .cmd { overflow-wrap: anywhere; color: var(--muted); margin-top: 2px; }
        ul.evidence, ul.missing { margin: .3em 0 0; padding-left: 1.2em; font-size: .9em; }
        ul.missing { color: var(--bad); }
        td.time, td code { white-space: nowrap; }
        td.up { color: #9a6700; font-weight: 600; }
        td.warn { color: #9a6700; font-weight: 600; } td.bad { color: var(--bad); font-weight: 600; }
        footer { margin: 32px 0 12px; color: var(--muted); font-size: 12px; }
        @page { size: A4 landscape; margin: 12mm; }
        @media print {
          body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
          nav { display: none; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          .card, figure, tr { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          thead { display: table-header-group; }
        }

        """;
}
