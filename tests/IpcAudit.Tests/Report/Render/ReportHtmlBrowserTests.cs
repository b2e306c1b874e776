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
        Assert.Equal(4, charts.Count);
        var lines = Regex.Matches(run.Stdout, "<polyline class=\"(shm|sem|msg)\" points=\"([^\"]*)\"");
        Assert.Equal(2 * (3 + 2), lines.Count);
        foreach (Match l in lines)
            Assert.Equal(ReportFixtures.Points, l.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("<h1>IpcAudit report</h1>", run.Stdout);
    }

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
