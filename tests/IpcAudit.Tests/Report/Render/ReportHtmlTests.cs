using System.Text.RegularExpressions;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

public class ReportHtmlTests
{
    public static string Render(ReportDocument doc)
    {
        var w = new StringWriter();
        ReportHtml.Write(w, doc);
        return w.ToString();
    }

    [Fact]
    public void HtmlOfTheSampleMatchesTheGoldenFile() => GoldenFile.AssertMatches("report.html", Render(ReportFixtures.Sample()));

    [Fact]
    public void TheSamePageComesOutEveryTime() => Assert.Equal(Render(ReportFixtures.Sample()), Render(ReportFixtures.Sample()));

    [Theory]
    [InlineData("sample")]
    [InlineData("hostile")]
    [InlineData("empty")]
    public void ThePageLoadsNothingFromAnywhere(string fixture)
    {
        var html = Render(Fixture(fixture));
        foreach (var banned in new[] { "http://", "https://", "<script", "<link", "@import", "url(", "<img", "<iframe", "<object", "src=" })
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">", html);
        Assert.Contains("@media print", html);
    }

    [Fact]
    public void EveryHostileStringIsEscaped()
    {
        var html = Render(ReportFixtures.Hostile());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bold", html);
        Assert.DoesNotContain('\u001b', html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&quot;double&quot; &#39;single&#39; &amp; &lt;b&gt;bold&lt;/b&gt;", html);
        // The host name, with its newline flattened, in the header, a chart heading and every table.
        var host = "=evil?[31m &lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39; next";
        Assert.True(Regex.Matches(html, Regex.Escape(host)).Count >= 6, "the hostile host should appear escaped in every section");
        // No raw quote from the system can end an attribute early: every attribute value is one of ours.
        foreach (Match m in Regex.Matches(html, "aria-label=\"([^\"]*)\""))
            Assert.DoesNotContain("<", m.Groups[1].Value);
    }

    [Fact]
    public void EachHostHasACountChartAndAChartPerByteSeriesWithAPointPerSnapshot()
    {
        var html = Render(ReportFixtures.Sample());
        var charts = Regex.Matches(html, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline);
        Assert.Equal(6, charts.Count);
        foreach (Match chart in charts)
        {
            var lines = Regex.Matches(chart.Value, "<polyline class=\"(\\w+)\" points=\"([^\"]+)\"");
            Assert.Contains(lines.Count, new[] { 1, 3 });
            foreach (Match line in lines) Assert.Equal(ReportFixtures.Points, line.Groups[2].Value.Split(' ').Length);
            Assert.Contains("class=\"xlabel\"", chart.Value);
            Assert.Contains("class=\"ylabel\"", chart.Value);
        }
        Assert.Contains(">Nov 15</text>", html);
        Assert.Contains(">7.5 GiB</text>", html);
        // The queue's own axis: a few KiB of backlog is not a flat line at 0 beside GiB of shared memory.
        Assert.Contains(">8 KiB</text>", html);
    }

    [Fact]
    public void ARebootIsMarkedOnEveryChartOfItsHost()
    {
        var html = Render(ReportFixtures.Sample());
        var db = html[html.IndexOf("<h3>db2.example</h3>", StringComparison.Ordinal)..html.IndexOf("<h3>web1.example</h3>", StringComparison.Ordinal)];
        Assert.Equal(3, Regex.Matches(db, "<g class=\"reboot\">").Count);
        Assert.DoesNotContain("class=\"reboot\"", html[html.IndexOf("<h3>web1.example</h3>", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void CoincidingSeriesStayVisible()
    {
        // Equal counts draw the same points: a wide pale line under a dashed one under a dotted one shows all three.
        var css = Render(ReportFixtures.Sample());
        Assert.Contains("polyline.shm { stroke: var(--shm); stroke-width: 5; stroke-opacity: .45; }", css);
        Assert.Contains("polyline.sem { stroke: var(--sem); stroke-dasharray: 8 4; }", css);
        Assert.Contains("polyline.msg { stroke: var(--msg); stroke-dasharray: 2 4; }", css);
    }

    [Fact]
    public void TimesInReasonsAreWrittenLikeThePage()
    {
        var html = Render(ReportFixtures.Sample());
        Assert.Contains("16 messages queued since 2026-11-17 11:00; last sender 2210 dead", html);
        Assert.DoesNotContain("2026-11-17T11:00:00.000Z", html);
    }

    [Fact]
    public void TheLastTimeLabelEndsAtTheChartEdge()
    {
        var html = Render(ReportFixtures.Sample());
        // Nov 21 00:00 sits at the right end of a week ending Nov 21 07:00: anchored at its end, not centred and cut.
        Assert.Matches("<text class=\"xlabel end\" x=\"5[0-9][0-9](\\.[0-9])?\" y=\"[0-9]+\">Nov 21</text>", html);
        Assert.DoesNotContain("class=\"xlabel end\" x=\"1", html);
    }

    [Fact]
    public void TheSummaryNamesTheWorstOrphansAndTheLimitClosestToExhaustion()
    {
        var html = Render(ReportFixtures.Sample());
        var summary = html[html.IndexOf("<section class=\"summary\">", StringComparison.Ordinal)..html.IndexOf("<nav>", StringComparison.Ordinal)];
        Assert.Equal(5, Regex.Matches(summary, "<li>").Count);
        Assert.Contains("<b>web1.example</b> shm 32769", summary);
        Assert.Contains("<b>SEMMNI</b> on <b>db2.example</b>: 119 arrays of 128 arrays (93.0 %)", summary);
        Assert.Contains("Runs out around 2026-11-23 05:30 UTC if the last day's trend holds.", summary);
    }

    [Fact]
    public void EachPoolLimitHasABarWithItsPeakMark()
    {
        var html = Render(ReportFixtures.Sample());
        // One per pool in the pressure table (the 4 caps, SHMMAX and SEMMSL of each host, have a table of
        // their own), one in the summary.
        var pools = ReportFixtures.Sample().Pressure.Count(p => p.Role == LimitRoles.Pool);
        Assert.Equal(12, pools);
        Assert.Equal(pools + 1, Regex.Matches(html, "<svg class=\"bar\"").Count);
        Assert.DoesNotContain("id=\"limits\"", html);                        // not a second section repeating the table
        Assert.Contains("<rect class=\"fill bad\" width=\"390.5\"", html);      // SEMMNI 93 % of 420 px
        Assert.Contains("<line class=\"peak\" x1=\"400.3\"", html);             // peak 95.3 %
        Assert.Contains("maximum not readable", html);
        Assert.Contains(">18.4 quintillion pages<", html);                      // a near-2^64 SHMALL stays short and says pages
        Assert.Contains(">16 EiB<", html);                                      // SHMMAX is bytes
        Assert.DoesNotContain("18.4 E<", html);
    }

    [Fact]
    public void AnEmptyWindowSaysSoInEverySection()
    {
        var html = Render(ReportFixtures.Empty());
        Assert.Contains("No orphaned objects in this window.", html);
        Assert.Contains("No snapshots in this window.", html);
        Assert.Equal(5, Regex.Matches(html, "<p class=\"none\">none</p>").Count);
    }

    private static ReportDocument Fixture(string name) => name switch
    {
        "sample" => ReportFixtures.Sample(),
        "hostile" => ReportFixtures.Hostile(),
        _ => ReportFixtures.Empty(),
    };
}
