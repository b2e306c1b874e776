using System.Text.RegularExpressions;
using IpcAudit.Report.Model;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

/// <summary>The page as a real browser sees it: Debian's chromium, headless, offline.</summary>
public class ReportHtmlBrowserTests
{
    private static string WritePage(TempDirectory tmp, ReportDocument doc, string name = "report.html")
    {
        var path = tmp.File(name);
        File.WriteAllText(path, ReportHtmlTests.Render(doc));
        return path;
    }

    [ChromiumFact]
    public void ChromiumRendersAnSvgChartWithAPolylinePerSeries()
    {
        using var tmp = new TempDirectory();
        var run = HeadlessChromium.Run(tmp, WritePage(tmp, ReportFixtures.Sample()), "--dump-dom");
        Assert.True(run.ExitCode == 0, $"chromium exited {run.ExitCode}: {run.Stderr}");
        var charts = Regex.Matches(run.Stdout, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline);
        // Per host: objects, shared memory bytes and queued bytes, each byte series on an axis of its own.
        Assert.Equal(2 * 3, charts.Count);
        var lines = Regex.Matches(run.Stdout, "<polyline class=\"(shm|sem|msg)\" points=\"([^\"]*)\"");
        Assert.Equal(2 * (3 + 1 + 1), lines.Count);
        foreach (Match l in lines)
            Assert.Equal(ReportFixtures.Points, l.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("<h1>IpcAudit report</h1>", run.Stdout);
    }

    /// <summary>
    /// What a reviewer sees, measured in the browser's own layout at a desktop and a phone width: every
    /// chart, its labels and its lines inside its box, the last time label not cut, the queue chart with
    /// an axis of its own, the reboot marked, three charts a row on a desktop and one on a phone.
    /// Screenshots are kept in $IPCAUDIT_SCREENSHOTS when set, for a person to look at.
    /// </summary>
    [ChromiumFact]
    public void ChartsKeepTheirLayoutAndLabelsAtTwoWidths()
    {
        using var tmp = new TempDirectory();
        var page = WritePage(tmp, ReportFixtures.Sample());
        // A script of our own appended to a copy: the page itself has none and its CSP allows none.
        var probe = tmp.File("probe.html");
        File.WriteAllText(probe, File.ReadAllText(page).Replace("default-src 'none'; style-src 'unsafe-inline'", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
            .Replace("</body>", ProbeScript + "</body>"));
        foreach (var (width, perRow) in new[] { (1280, 3), (420, 1) })
        {
            var run = HeadlessChromium.Run(tmp, probe, $"--window-size={width},3000", "--virtual-time-budget=2000", "--dump-dom");
            Assert.True(run.ExitCode == 0, $"chromium exited {run.ExitCode}: {run.Stderr}");
            var result = Regex.Match(run.Stdout, "<pre id=\"probe\">([^<]*)</pre>").Groups[1].Value;
            Assert.Equal($"charts=6 rows={6 / perRow} cut=0 reboots=3 queue-axis=KiB", result);
            if (Environment.GetEnvironmentVariable("IPCAUDIT_SCREENSHOTS") is { Length: > 0 } keep)
            {
                Directory.CreateDirectory(keep);
                HeadlessChromium.Run(tmp, page, $"--window-size={width},2600", "--screenshot=" + Path.Combine(keep, $"report-{width}.png"));
            }
        }
    }

    /// <summary>Counts charts and their rows, text cut off at a chart's edge, reboot marks, and the queue chart's top label unit.</summary>
    private const string ProbeScript = """
        <pre id="probe"></pre><script>
        const charts = [...document.querySelectorAll('svg.chart')];
        const tops = new Set(charts.map(c => Math.round(c.getBoundingClientRect().top))); // the charts of a row line up
        let cut = 0;
        for (const c of charts) {
          const box = c.getBoundingClientRect();
          for (const t of c.querySelectorAll('text')) {
            const r = t.getBoundingClientRect();
            if (r.left < box.left - 0.5 || r.right > box.right + 0.5) cut++;
          }
        }
        const queue = charts.find(c => c.getAttribute('aria-label').endsWith('queued message bytes over time'));
        const labels = [...queue.querySelectorAll('.ylabel')].map(t => t.textContent);
        document.getElementById('probe').textContent =
          `charts=${charts.length} rows=${tops.size} cut=${cut} reboots=${document.querySelectorAll('svg.chart .reboot').length} queue-axis=${labels[labels.length - 1].split(' ')[1]}`;
        </script>
        """;

    [ChromiumFact]
    public void HostileStringsStayTextInTheBrowser()
    {
        using var tmp = new TempDirectory();
        var run = HeadlessChromium.Run(tmp, WritePage(tmp, ReportFixtures.Hostile()), "--dump-dom");
        Assert.True(run.ExitCode == 0, $"chromium exited {run.ExitCode}: {run.Stderr}");
        Assert.DoesNotContain("<script", run.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bold", run.Stdout);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", run.Stdout);
    }

    [ChromiumFact]
    public void AScreenshotOfThePageIsARealImage()
    {
        using var tmp = new TempDirectory();
        var shot = tmp.File("shot.png");
        var run = HeadlessChromium.Run(tmp, WritePage(tmp, ReportFixtures.Sample()), "--screenshot=" + shot, "--window-size=1280,2000");
        Assert.True(File.Exists(shot), $"no screenshot; chromium exited {run.ExitCode}: {run.Stderr}");
        var png = File.ReadAllBytes(shot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.True(png.Length > 10 * 1024, $"the screenshot is only {png.Length} bytes: the page rendered (nearly) blank");
    }

    [ChromiumFact]
    public void ThePageFetchesNothingFromTheNetwork()
    {
        using var tmp = new TempDirectory();
        var netLog = tmp.File("netlog.json");
        var run = HeadlessChromium.Run(tmp, WritePage(tmp, ReportFixtures.Sample()), "--log-net-log=" + netLog, "--dump-dom");
        Assert.True(run.ExitCode == 0, $"chromium exited {run.ExitCode}: {run.Stderr}");
        // Chromium itself still calls home (component updater, account check) despite the flags; those carry
        // no page origin. Anything the page asked for would carry its origin ("null" for file://).
        var fromPage = HeadlessChromium.NetworkRequests(netLog).Where(r => r.Initiator != HeadlessChromium.BrowserInitiated).ToList();
        Assert.True(fromPage.Count == 0, "the page fetched: " + string.Join(", ", fromPage));
    }

    [ChromiumFact]
    public void TheNetLogCheckCatchesAPageThatFetches()
    {
        // The control for the test above: without it, an empty list could mean the check sees nothing.
        using var tmp = new TempDirectory();
        var page = tmp.File("leaky.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/leak.png\"></body></html>");
        var netLog = tmp.File("netlog.json");
        HeadlessChromium.Run(tmp, page, "--log-net-log=" + netLog, "--dump-dom");
        var fromPage = HeadlessChromium.NetworkRequests(netLog).Where(r => r.Initiator != HeadlessChromium.BrowserInitiated);
        Assert.Contains(fromPage, r => r.Url == "http://127.0.0.1:9/leak.png");
    }
}
