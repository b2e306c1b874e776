using System.Text;
using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class ProcessInfoReaderTests
{
    private static readonly ProcessInfoReader Modern = new(new ProcRoot(TestPaths.ProcFixture("modern")));

    [Fact]
    public void OneSortedEntryPerDistinctPositivePid()
    {
        var infos = Modern.Read([4102, 0, 4100, -1, 4102, 3900]);
        Assert.Equal([3900, 4100, 4102], infos.Select(p => p.Pid));
    }

    [Fact]
    public void LiveProcessIsDescribed()
    {
        var p = Modern.Read([4100]).Single();
        Assert.True(p.Alive);
        Assert.Equal("shmdemo", p.Comm);
        Assert.Equal("/usr/local/bin/shmdemo --size 1048576", p.Cmdline);
        Assert.Equal(1000u, p.Uid);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T05:56:32Z"), p.StartTime);
    }

    [Fact]
    public void CommWithParenthesesAndSpacesParses()
    {
        var p = Modern.Read([4102]).Single();
        Assert.Equal("my (odd) proc)", p.Comm);
        Assert.Equal("./oddproc --title my (odd) proc)", p.Cmdline);
        Assert.Equal(0u, p.Uid);
    }

    [Fact]
    public void ReusedPidStartTimeIsAbsoluteUtc()
    {
        // btime 1795240412 + 18883 ticks / USER_HZ 100 = 1795240600.83
        var start = Modern.Read([4102]).Single().StartTime!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 5, 56, 40, 830, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
        // Had 4102 been named as shmid 1's creator, it started after that segment's ctime: a reused pid.
        var shm1 = SysvShmFile.Read(new ProcRoot(TestPaths.ProcFixture("modern")))![1];
        Assert.True(start > shm1.Ctime);
    }

    [Fact]
    public void ZombieIsNotAlive()
    {
        var p = Modern.Read([4101]).Single();
        Assert.False(p.Alive);
        Assert.Equal("shmdemo", p.Comm);
        Assert.Null(p.Cmdline);
        Assert.Null(p.Uid);
        Assert.Null(p.StartTime);
    }

    [Fact]
    public void MissingPidIsNotAlive()
    {
        Assert.Equal(new Collector.Model.ProcessInfo { Pid = 3900, Alive = false }, Modern.Read([3900]).Single());
    }

    [Fact]
    public void TruncatedStatMeansTheProcessRacedWithExit()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("55"));
        File.WriteAllText(temp.File("55/stat"), "55 (half");
        var p = new ProcessInfoReader(new ProcRoot(temp.Path)).Read([55]).Single();
        Assert.False(p.Alive);
    }

    [Fact]
    public void StatWithoutStartTimeIsMalformed()
    {
        var e = Assert.Throws<ProcFormatException>(() => ProcessInfoReader.ParseStat("1 (init) S 0 1 1", "1/stat"));
        Assert.Equal("starttime", e.Field);
    }

    [Theory]
    [InlineData("a\0b c\0", "a b c")]
    [InlineData("nginx: worker process\0\0\0\0", "nginx: worker process")]
    [InlineData("postgres: checkpointer ", "postgres: checkpointer ")]
    [InlineData("", null)]
    [InlineData("\0", null)]
    public void CmdlineArgumentsAreJoinedBySpaces(string raw, string? expected)
    {
        Assert.Equal(expected, ProcessInfoReader.ParseCmdline(Encoding.UTF8.GetBytes(raw)));
    }

    [Fact]
    public void HugeCmdlineIsCutAt4096Chars()
    {
        var raw = Encoding.UTF8.GetBytes("java\0" + new string('x', 100_000));
        var cmdline = ProcessInfoReader.ParseCmdline(raw)!;
        Assert.Equal(ProcessInfoReader.MaxCmdlineChars, cmdline.Length);
        Assert.StartsWith("java xxx", cmdline);
    }

    [Fact]
    public void HugeCmdlineFileIsReadOnlyInPart()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("9"));
        File.Copy(Path.Combine(TestPaths.ProcFixture("modern"), "4100", "stat"), temp.File("9/stat"));
        File.Copy(Path.Combine(TestPaths.ProcFixture("modern"), "4100", "status"), temp.File("9/status"));
        File.WriteAllBytes(temp.File("9/cmdline"), Encoding.UTF8.GetBytes("java\0-cp\0" + new string('é', 50_000) + "\0"));
        var p = new ProcessInfoReader(new ProcRoot(temp.Path)).Read([9]).Single();
        Assert.True(p.Alive);
        Assert.Equal(4096, p.Cmdline!.Length);
        Assert.StartsWith("java -cp éé", p.Cmdline);
        Assert.Null(p.StartTime); // no /proc/stat in this tree, so no btime
    }

    [Fact]
    public void RealUidIsTheFirstValue()
    {
        Assert.Equal(1000u, ProcessInfoReader.ParseStatusUid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\n", "1/status"));
    }

    [Fact]
    public void BootTimeComesFromTheBtimeLine()
    {
        Assert.Equal(1795240412, ProcessInfoReader.ParseBootTime("cpu  1 2 3\nbtime 1795240412\nprocesses 9\n", "stat"));
        var e = Assert.Throws<ProcFormatException>(() => ProcessInfoReader.ParseBootTime("cpu  1 2 3\n", "stat"));
        Assert.Equal("btime", e.Field);
    }
}
