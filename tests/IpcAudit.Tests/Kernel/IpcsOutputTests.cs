using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>The ipcs parser on text util-linux 2.38.1 printed in a private namespace (TZ=UTC).</summary>
public sealed class IpcsOutputTests
{
    private const string All = """

        ------ Message Queues --------
        key        msqid      owner      perms      used-bytes   messages    
        0x00000040 0          root       600        200          2           

        ------ Shared Memory Segments --------
        key        shmid      owner      perms      bytes      nattch     status      
        0x0000002b 1          root       640        10000      1                       
        0x00000000 2          root       666        4096       1          dest         
        0xdeadbeef 3          root       600        8192       0                 locked

        ------ Semaphore Arrays --------
        key        semid      owner      perms      nsems     

        """;

    [Fact]
    public void TableRowsAreReadByHeaderAndKeepTheStatusColumn()
    {
        var shm = IpcsOutput.Table(IpcsOutput.Section(All, "Shared Memory Segments"));
        Assert.Equal(["", "dest", "locked"], shm.Select(r => r["status"]));
        Assert.Equal("0xdeadbeef", IpcsOutput.Row(IpcsOutput.Section(All, "Shared Memory Segments"), "shmid", "3")["key"]);
        Assert.Equal("200", IpcsOutput.Table(IpcsOutput.Section(All, "Message Queues"))[0]["used-bytes"]);
        Assert.Empty(IpcsOutput.Table(IpcsOutput.Section(All, "Semaphore Arrays")));
    }

    [Fact]
    public void RightAlignedPidsAreReadByColumnNotPosition()
    {
        const string pids = """
            ------ Message Queues PIDs --------
            msqid      owner      lspid      lrpid     
            0        root        10519     10568
            1        root            0         0
            """;
        var row = IpcsOutput.Row(IpcsOutput.Section(pids, "Message Queues PIDs"), "msqid", "0");
        Assert.Equal(("10519", "10568"), (row["lspid"], row["lrpid"]));
    }

    [Fact]
    public void TimeRowsSplitNotSetAndTimesWithAndWithoutAYear()
    {
        var (words, times) = IpcsOutput.TimeRow("1        root       Nov  1 06:01:51      Not set              Nov 21 06:01:50     ");
        Assert.Equal(["1", "root"], words);
        Assert.Equal(["Nov 1 06:01:51", "Not set", "Nov 21 06:01:50"], times);
        Assert.Equal(["Not set", "Sat Nov 21 06:01:56 2026"],
            IpcsOutput.TimeRow("0        root        Not set                    Sat Nov 21 06:01:56 2026  ").Times);
        Assert.Equal("Nov 1 06:01:51", IpcsOutput.ShortTime(new DateTimeOffset(2026, 11, 1, 6, 1, 51, TimeSpan.Zero)));
    }

    [Fact]
    public void SummaryLinesAreReadWithAndWithoutEquals()
    {
        const string summary = """
            ------ Messages Status --------
            allocated queues = 2
            used headers = 6
            used space = 420 bytes

            ------ Shared Memory Status --------
            segments allocated 3
            pages allocated 20
            pages resident  16
            pages swapped   0
            Swap performance: 0 attempts@@0 successes
            """;
        var sections = IpcsOutput.Sections(summary.Replace("@@", "\t "));
        Assert.Equal(420UL, IpcsOutput.Number(IpcsOutput.Labels(sections["Messages Status"]), "used space"));
        Assert.Equal(16UL, IpcsOutput.Number(IpcsOutput.Labels(sections["Shared Memory Status"]), "pages resident"));
        Assert.Equal(4, IpcsOutput.Labels(sections["Shared Memory Status"]).Count);
    }

    [Fact]
    public void DetailsReadTabAndCommaSeparatedPairsThenTheSemaphoreTable()
    {
        const string details = """

            Semaphore Array semid=0
            uid=0@@ gid=0@@ cuid=0@@ cgid=1000
            mode=0600, access_perms=0600
            nsems = 3
            otime = Sat Nov 21 05:58:01 2026  
            ctime = Not set                   
            semnum     value      ncount     zcount     pid       
            0          2          0          0          4754      
            1          0          1          0          4603      

            """;
        var text = details.Replace("@@", "\t");
        var pairs = IpcsOutput.Details(text);
        Assert.Equal(("1000", "0600", "3"), (pairs["cgid"], pairs["access_perms"], pairs["nsems"]));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 5, 58, 1, TimeSpan.Zero), IpcsOutput.FullTime(pairs["otime"]));
        Assert.Null(IpcsOutput.FullTime(pairs["ctime"]));
        Assert.Equal(["4754", "4603"], IpcsOutput.SemaphoreTable(text).Select(r => r["pid"]));
    }

    [Fact]
    public void TotalSharedMemoryOverflowsToTheLargestWholePageLikeIpcs()
    {
        Assert.Equal(18446744073709547520UL, IpcsOutput.TotalSharedMemoryBytes(18446744073692774399UL, 4096));
        Assert.Equal(8589934592UL, IpcsOutput.TotalSharedMemoryBytes(2097152, 4096));
    }
}
