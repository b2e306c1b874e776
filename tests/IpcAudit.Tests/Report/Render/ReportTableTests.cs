using System.Text.RegularExpressions;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

public class ReportTableTests
{
    private static readonly TimeZoneInfo Cet = TimeZoneInfo.CreateCustomTimeZone("Test/CET", TimeSpan.FromHours(1), "CET", "CET");

    private static string Render(ReportDocument doc, TimeZoneInfo zone)
    {
        var w = new StringWriter();
        ReportTable.Write(w, doc, zone);
        return w.ToString();
    }

    [Fact]
    public void TableOfTheSampleMatchesTheGoldenFile() => GoldenFile.AssertMatches("report.txt", Render(ReportFixtures.Sample(), TimeZoneInfo.Utc));

    [Fact]
    public void TimesAreLocalWithTheZoneNamedAndAgesInDaysAndHours()
    {
        var text = Render(ReportFixtures.Sample(), Cet);
        Assert.StartsWith("IpcAudit report 2026-11-14 08:00 CET to 2026-11-21 08:00 CET: 98 snapshots, 2 hosts (db2.example, web1.example)\n", text);
        var row = Squeeze(Line(text, "ipcrm -m 32769"));
        Assert.Contains(" 256 MiB 5d 3h 2026-11-16 05:00 CET 4711 dead /usr/sbin/apache2 -k start ipcrm -m 32769 no attachments;", row);
    }

    [Fact]
    public void OrphansAreRankedByBytesTimesAge()
    {
        var text = Render(ReportFixtures.Sample(), Cet);
        int At(string s) => text.IndexOf(s, StringComparison.Ordinal);
        Assert.True(At("ipcrm -m 32769") < At("ipcrm -m 65538"));
        Assert.True(At("ipcrm -m 65538") < At("ipcrm -q 5"));
        Assert.True(At("ipcrm -q 5") < At("ipcrm -s 98304"), "byte-less arrays come after the ones holding memory");
        Assert.True(At("ipcrm -s 98304") < At("ipcrm -s 98305"), "among byte-less arrays the oldest leak first");
    }

    [Fact]
    public void PressureShowsPercentABarAndWhenTheLimitRunsOut()
    {
        var text = Render(ReportFixtures.Sample(), Cet);
        var row = Squeeze(Line(text, "db2.example SEMMNI"));
        Assert.Equal(" db2.example SEMMNI 119 arrays 128 arrays 93.0 % [#########.] 95.3 % 2026-11-20 15:00 CET 3d 1d 6h 2026-11-23 06:30 CET", row);
        Assert.Contains("18.4 quintillion pages", Line(text, "web1.example SHMALL"));
        Assert.Contains("< 0.1 %", Line(text, "web1.example SHMALL"));
        Assert.Contains("unknown", Line(text, "db2.example MSGMNB"));
    }

    [Fact]
    public void EmptySectionsSayNone()
    {
        var text = Render(ReportFixtures.Empty(), Cet);
        Assert.Equal(5, text.Split('\n').Count(l => l == "  none"));
        Assert.Contains("0 snapshots, no hosts", text);
    }

    [Fact]
    public void ControlCharactersFromTheSystemNeverReachTheTerminal()
    {
        var doc = ReportFixtures.Hostile();
        var text = Render(doc, Cet);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("next") || l.StartsWith("second line"));
        // Each orphan stays on one line, its flattened reason beside its command.
        Assert.Contains("ipcrm -s 3  -1+2 second line", Line(text, "ipcrm -s 3"));
        Assert.Contains("ipcrm -q 4  @SUM(1,1)?[31m", Line(text, "ipcrm -q 4"));
        Assert.Equal(1 + doc.Orphans.Count, text.Split('\n').Count(l => l.Contains("=evil?[31m") && (l.Contains("ipcrm") || l.Contains("IpcAudit"))));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(3600, "1h")]
    [InlineData(3660 + 3600, "2h 1m")]
    [InlineData(86400 * 3 + 3600 * 4 + 59, "3d 4h")]
    [InlineData(86400 * 3, "3d")]
    public void AgesReadAsTheTwoLargestUnits(long seconds, string expected) => Assert.Equal(expected, Readable.Age(seconds));

    [Fact]
    public void AZoneWithoutAnAbbreviationIsNamedByItsOffset()
    {
        var t = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
        Assert.Equal("2026-11-21 06:00 UTC", Readable.Time(t, TimeZoneInfo.Utc));
        var india = TimeZoneInfo.CreateCustomTimeZone("Test/IN", new TimeSpan(5, 30, 0), "India Standard Time", "India Standard Time");
        Assert.Equal("2026-11-21 11:30 UTC+05:30", Readable.Time(t, india));
    }

    /// <summary>The one line holding these words, however the columns were padded.</summary>
    private static string Line(string text, string words) => text.Split('\n').Single(l => Squeeze(l).Contains(words));

    private static string Squeeze(string line) => Regex.Replace(line, " +", " ");
}
