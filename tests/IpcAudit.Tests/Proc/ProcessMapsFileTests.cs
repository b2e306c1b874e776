using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class ProcessMapsFileTests
{
    [Fact]
    public void InodeColumnIsTheShmid()
    {
        const string maps =
            "557b3347e000-557b3347f000 r--p 00000000 fe:00 11657484                   /usr/local/bin/shmdemo\n" +
            "7f12c4a00000-7f12c4a01000 rw-s 00000000 00:01 32769                      /SYSV0000002a (deleted)\n" +
            "7f48f4c7d000-7f48f4c80000 rw-p 00000000 00:00 0 \n";
        Assert.Equal([32769], ProcessMapsFile.Parse(maps, "1/maps"));
    }

    [Fact]
    public void FixtureProcessMapsTwoSegments()
    {
        Assert.Equal([1, 0], ProcessMapsFile.Read(new ProcRoot(TestPaths.ProcFixture("modern")), 4100));
    }

    [Fact]
    public void GoneProcessHasNoMaps()
    {
        Assert.Null(ProcessMapsFile.Read(new ProcRoot(TestPaths.ProcFixture("modern")), 3900));
    }

    [Fact]
    public void SegmentMappedTwiceCountsOnce()
    {
        const string maps =
            "7f0000000000-7f0000001000 rw-s 00000000 00:01 7                          /SYSV00000000 (deleted)\n" +
            "7f0000001000-7f0000002000 r--s 00000000 00:01 7                          /SYSV00000000 (deleted)\n" +
            "7f0000002000-7f0000003000 r--s 00000000 00:01 9                          /SYSVdeadbeef (deleted)";
        Assert.Equal([7, 9], ProcessMapsFile.Parse(maps, "1/maps"));
    }

    [Theory]
    [InlineData("7f0000000000-7f0000001000 r--p 00000000 fe:00 1234 /srv/data/SYSV00000001")]
    [InlineData("7f0000000000-7f0000001000 r--p 00000000 fe:00 1234 /SYSV0000002a")]
    [InlineData("7f0000000000-7f0000001000 rw-s 00000000 fe:00 1234 /home/a/SYSV0000002a (deleted)")]
    [InlineData("7f0000000000-7f0000001000 rw-s 00000000 fe:00 1234 /SYSVnothex1 (deleted)")]
    [InlineData("7f0000000000-7f0000001000 rw-s 00000000 fe:00 1234 /SYSV0000002a.bak")]
    public void FilesThatOnlyLookLikeSysvAreNotShm(string line)
    {
        Assert.Empty(ProcessMapsFile.Parse(line + "\n", "1/maps"));
    }

    [Fact]
    public void NonNumericInodeOnSysvLineNamesLineAndField()
    {
        const string maps =
            "557b3347e000-557b3347f000 r--p 00000000 fe:00 11657484                   /usr/local/bin/shmdemo\n" +
            "7f12c4a00000-7f12c4a01000 rw-s 00000000 00:01 32x69                      /SYSV0000002a (deleted)\n";
        var e = Assert.Throws<ProcFormatException>(() => ProcessMapsFile.Parse(maps, "77/maps"));
        Assert.Equal("77/maps:2: field 'inode': not a number: '32x69'", e.Message);
    }

    [Fact]
    public void EmptyMapsOfAZombieHasNoShmids()
    {
        Assert.Empty(ProcessMapsFile.Parse("", "1/maps"));
    }
}
