using IpcAudit.Report.Output;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

public class ReportCsvTests
{
    private static readonly string[] Files = [ReportCsv.OrphansFile, ReportCsv.IdleFile, ReportCsv.GrowthFile, ReportCsv.PressureFile, ReportCsv.ChurnFile];

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
        const string findings = "verdict,host,kind,id,key,owner,owner_name,application,bytes,first_seen,unused_since,orphaned_since,last_operation,age_seconds,"
                                + "creator_pid,creator_alive,reason,evidence,missing,processes,suggested_command,name";
        Assert.Equal(findings, FirstLine(tmp.File("orphans.csv")));
        Assert.Equal(findings, FirstLine(tmp.File("idle.csv")));
        Assert.Equal("host,kind,owner,start_count,end_count,start_bytes,end_bytes,count_slope_per_day,bytes_slope_per_day,created,removed",
            FirstLine(tmp.File("growth.csv")));
        Assert.Equal("host,limit,used,max,percent,peak_percent,peak_at,seconds_above_80,seconds_above_90,projected_exhaustion,"
            + "role,exhausted_since,trend,queue_messages,queue_bytes", FirstLine(tmp.File("pressure.csv")));
        Assert.Equal("host,kind,created,removed,vanished_while_used,sys_uid_max,sys_uid_max_assumed,reaped", FirstLine(tmp.File("churn.csv")));
    }

    [Fact]
    public void NumbersAreUnformattedTimesAreIsoUtcAndNullIsEmpty()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Sample(), ReportFixtures.GeneratedAt);
        var orphans = File.ReadAllText(tmp.File("orphans.csv"));
        Assert.Contains("orphan,web1.example,shm,32769,0x00000000,33,www-data,apache2.service,268435456,2026-11-15T21:00:00.000Z,2026-11-16T04:00:00.000Z,2026-11-16T04:00:00.000Z,,442800,4711,false,", orphans);
        // An idle object has no orphaned_since, no creator and no removal command: empty fields, not zeros.
        Assert.Contains("idle,web1.example,sem,98307,0x00000000,33,,,0,2026-11-15T09:00:00.000Z,2026-11-15T09:00:00.000Z,,,511200,,,", File.ReadAllText(tmp.File("idle.csv")));
        Assert.EndsWith(",\r\n", File.ReadAllText(tmp.File("idle.csv")));
        var growth = File.ReadAllText(tmp.File("growth.csv"));
        // A negative slope is a number, not a formula: it keeps its minus sign unescaped.
        Assert.Contains("web1.example,msg,0,5,3,4096,12288,-0.286,1170.286,2,4\r\n", growth);
        var pressure = File.ReadAllText(tmp.File("pressure.csv"));
        Assert.Contains("db2.example,SEMMNI,119,128,92.97,95.31,2026-11-20T14:00:00.000Z,259200,108000,2026-11-23T05:30:00.000Z,pool,,rising,,\r\n", pressure);
        Assert.Contains("db2.example,MSGMNB,8192,,,,,0,0,,pool,,flat,2,8192\r\n", pressure);
        Assert.Contains("db2.example,SEMMSL,16,250,6.4,6.4,2026-11-21T07:00:00.000Z,0,0,,cap,,,,\r\n", pressure);
    }

    [Fact]
    public void CellsThatStartLikeAFormulaAreEscapedForSpreadsheets()
    {
        using var tmp = new TempDirectory();
        ReportCsv.WriteFolder(tmp.Path, ReportFixtures.Hostile(), ReportFixtures.GeneratedAt);
        var orphans = File.ReadAllText(tmp.File("orphans.csv"));
        // The host starts with '=' and holds a newline and quotes: escaped with ', then quoted with inner quotes doubled;
        // its ESC is a '?' (no raw control byte reaches a terminal that shows the file).
        var host = "\"'=evil?[31m <script>alert(1)</script> \"\"q\"\" 'a'\nnext\"";
        Assert.Contains(host + ",shm,1,\"'=0x1?[31m\",1000,", orphans);
        // The application, named after a hostile command, is escaped like every other cell.
        Assert.Contains(",msg,4,0x00000004,1000,,\"'@cmd\",10,", orphans);
        Assert.Contains(",\"'=1+2\",", orphans);
        Assert.Contains(",ipcrm -m 1,\r\n", orphans);  // the last column, name, is empty for System V
        Assert.Contains(",\"'+1+2 <script>alert(1)</script>\",", orphans);
        Assert.Contains(",ipcrm -m 2,\r\n", orphans);
        Assert.Contains(",\"'@x\n?[31m\",", File.ReadAllText(tmp.File("idle.csv")));
        Assert.Contains(",\"'-1+2\nsecond line\",", orphans);
        Assert.Contains(",\"'@SUM(1,1)?[31m\",", orphans);
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
