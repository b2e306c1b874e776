using IpcAudit.Report.Output;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

public class ReportCsvTests
{
    private static readonly string[] Files = [ReportCsv.OrphansFile, ReportCsv.GrowthFile, ReportCsv.PressureFile, ReportCsv.ChurnFile];

    [Fact]
    public void CsvFilesOfTheSampleMatchTheGoldenFiles()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt);
        foreach (var name in Files) GoldenFile.AssertMatches(name, File.ReadAllBytes(tmp.File(name)));
    }

    [Fact]
    public void HeadersAreTheJsonNamesInSnakeCase()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt);
        Assert.Equal("host,kind,id,key,owner,bytes,first_seen,orphaned_since,age_seconds,creator_pid,creator_alive,reason,suggested_command",
            FirstLine(tmp.File("orphans.csv")));
        Assert.Equal("host,kind,owner,start_count,end_count,start_bytes,end_bytes,count_slope_per_day,bytes_slope_per_day,created,removed",
            FirstLine(tmp.File("growth.csv")));
        Assert.Equal("host,limit,used,max,percent,peak_percent,peak_at,seconds_above_80,seconds_above_90,projected_exhaustion",
            FirstLine(tmp.File("pressure.csv")));
        Assert.Equal("host,kind,created,removed,vanished_while_used", FirstLine(tmp.File("churn.csv")));
    }

    [Fact]
    public void NumbersAreUnformattedTimesAreIsoUtcAndNullIsEmpty()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt);
        var orphans = File.ReadAllText(tmp.File("orphans.csv"));
        Assert.Contains("web1.example,shm,32769,0x00000000,33,268435456,2026-11-15T21:00:00.000Z,2026-11-16T04:00:00.000Z,442800,4711,false,", orphans);
        var growth = File.ReadAllText(tmp.File("growth.csv"));
        // A negative slope is a number, not a formula: it keeps its minus sign unescaped.
        Assert.Contains("web1.example,msg,0,5,3,4096,12288,-0.286,1170.286,2,4\r\n", growth);
        var pressure = File.ReadAllText(tmp.File("pressure.csv"));
        Assert.Contains("db2.example,SEMMNI,119,128,92.97,95.31,2026-11-20T14:00:00.000Z,259200,108000,2026-11-23T05:30:00.000Z\r\n", pressure);
        Assert.Contains("db2.example,MSGMNB,8192,,,,,0,0,\r\n", pressure);
    }

    [Fact]
    public void CellsThatStartLikeAFormulaAreEscapedForSpreadsheets()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Hostile(), ReportFixtures.GeneratedAt);
        var orphans = File.ReadAllText(tmp.File("orphans.csv"));
        // The host starts with '=' and holds a newline and quotes: escaped with ', then quoted with inner quotes doubled.
        var host = "\"'=evil\u001b[31m <script>alert(1)</script> \"\"q\"\" 'a'\nnext\"";
        Assert.Contains(host + ",shm,1,\"'=0x1\u001b[31m\",1000,4096,", orphans);
        Assert.Contains(",\"'=1+2\",ipcrm -m 1\r\n", orphans);
        Assert.Contains(",\"'+1+2 <script>alert(1)</script>\",ipcrm -m 2\r\n", orphans);
        Assert.Contains(",\"'-1+2\nsecond line\",ipcrm -s 3\r\n", orphans);
        Assert.Contains(",\"'@SUM(1,1)\u001b[31m\",ipcrm -q 4\r\n", orphans);
        foreach (var name in new[] { "growth.csv", "pressure.csv", "churn.csv" })
        {
            var text = File.ReadAllText(tmp.File(name));
            var body = text[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..]; // after the comment line
            Assert.StartsWith(host + ",", body[(body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..]);
        }
    }

    [Fact]
    public void EmptySectionsWriteHeaderOnlyFiles()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Empty(), ReportFixtures.GeneratedAt);
        foreach (var name in Files)
        {
            var text = File.ReadAllText(tmp.File(name));
            Assert.EndsWith("\r\n", text);
            Assert.Equal(2, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length); // the comment line and the header
        }
    }

    [Fact]
    public void AFailedWriteLeavesNoHalfFileBehind()
    {
        using var tmp = new TempDirectory();
        // A folder where the file should go makes the final rename fail after the rows were written.
        Directory.CreateDirectory(tmp.File("growth.csv"));
        Assert.ThrowsAny<IOException>(() => ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp*"));
        Assert.True(File.Exists(tmp.File("orphans.csv")));
        Assert.False(File.Exists(tmp.File("pressure.csv")));
    }

    [Fact]
    public void WritingAgainReplacesTheFilesOfAnEarlierRun()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt);
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Empty(), ReportFixtures.GeneratedAt);
        Assert.Equal(2, File.ReadAllLines(tmp.File("orphans.csv")).Length);
        Assert.Equal(Files.Order(), Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>The header row: the line after the comment line.</summary>
    private static string FirstLine(string path) => File.ReadLines(path).Skip(1).First();
}
