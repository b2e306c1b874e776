using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class SysvShmFileTests
{
    private static IReadOnlyList<ShmSegment> Modern() =>
        SysvShmFile.Read(new ProcRoot(TestPaths.ProcFixture("modern")))!;

    [Fact]
    public void EveryModernSegmentIsRead()
    {
        Assert.Equal([0, 1, 2, 3, 4], Modern().Select(s => s.Id));
    }

    [Fact]
    public void ModernLineParsesEveryColumn()
    {
        var s = Modern()[1];
        Assert.Equal(42u, s.Key);
        Assert.Equal(0x1B6, s.Mode); // 0666
        Assert.Equal(65536ul, s.Bytes);
        Assert.Equal(4100, s.Cpid);
        Assert.Equal(4102, s.Lpid);
        Assert.Equal(2, s.Nattch);
        Assert.Equal((1000u, 1000u, 1000u, 1000u), (s.Uid, s.Gid, s.Cuid, s.Cgid));
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T05:56:41Z"), s.Atime);
        Assert.Null(s.Dtime);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T05:56:35Z"), s.Ctime);
        Assert.Equal(TimeSpan.Zero, s.Ctime!.Value.Offset);
        Assert.Equal(4096ul, s.RssBytes);
        Assert.Equal(0ul, s.SwapBytes);
        Assert.Null(s.AttachedPids);
    }

    [Fact]
    public void NegativeKeyBecomesUnsigned()
    {
        var s = Modern()[0];
        Assert.Equal(0xdeadbeefu, s.Key);
        Assert.Equal("0xdeadbeef", IpcMode.FormatKey(s.Key));
    }

    [Fact]
    public void UnsignedKeyTextIsAcceptedToo()
    {
        var text = Header + "3735928559          7   600    4096  1  0  0  0  0  0  0  0  0  0  0  0\n";
        Assert.Equal(0xdeadbeefu, SysvShmFile.Parse(text, "shm").Single().Key);
    }

    [Fact]
    public void DestAndLockedBitsAreDecoded()
    {
        var segments = Modern();
        var dest = segments[2];
        var locked = segments[3];
        Assert.True(dest.IsDest);
        Assert.False(dest.IsLocked);
        Assert.Equal(0x3B6, dest.Mode); // 01666
        Assert.Equal(0u, dest.Key);
        Assert.Equal("0666", IpcMode.Perms(dest.Mode));
        Assert.True(locked.IsLocked);
        Assert.False(locked.IsDest);
        Assert.Equal(0x580, locked.Mode); // 02600
        Assert.Equal("0600", IpcMode.Perms(locked.Mode));
        Assert.Equal(["locked"], IpcMode.ShmStatus(locked.Mode));
    }

    [Fact]
    public void ZeroTimesAreNull()
    {
        var orphan = Modern()[4];
        Assert.Null(orphan.Atime);
        Assert.Null(orphan.Dtime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795240500), orphan.Ctime);
    }

    [Fact]
    public void ShmLineWithoutRssColumnsParses()
    {
        var segments = SysvShmFile.Read(new ProcRoot(TestPaths.ProcFixture("old-kernel")))!;
        Assert.Equal(2, segments.Count);
        var s = segments[0];
        Assert.Equal(32768, s.Id);
        Assert.Equal(5432001u, s.Key);
        Assert.Equal(33554432ul, s.Bytes);
        Assert.Equal(6, s.Nattch);
        Assert.Null(s.RssBytes);
        Assert.Null(s.SwapBytes);
        Assert.Equal(DateTimeOffset.Parse("2010-01-01T00:00:00Z"), s.Atime);
        Assert.True(segments[1].IsDest);
    }

    [Fact]
    public void UnknownExtraColumnsAreIgnoredAndOrderComesFromTheHeader()
    {
        var text = "shmid key future perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap\n"
                 + "    5   -1   zzz   600  100    7    8      1   1   2    3    4     0     0    10   0    0\n";
        var s = SysvShmFile.Parse(text, "shm").Single();
        Assert.Equal(5, s.Id);
        Assert.Equal(uint.MaxValue, s.Key);
        Assert.Equal(0x180, s.Mode);
        Assert.Equal((1u, 2u, 3u, 4u), (s.Uid, s.Gid, s.Cuid, s.Cgid));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(10), s.Ctime);
    }

    [Fact]
    public void MissingRequiredColumnNamesIt()
    {
        var text = Header.Replace(" nattch", "") + "\n";
        var e = Assert.Throws<ProcFormatException>(() => SysvShmFile.Parse(text, "sysvipc/shm"));
        Assert.Equal(("sysvipc/shm", 1, "nattch"), (e.File, e.Line, e.Field));
        Assert.Equal("sysvipc/shm:1: field 'nattch': missing from header", e.Message);
    }

    [Fact]
    public void EmptyFileIsMissingItsHeader()
    {
        var e = Assert.Throws<ProcFormatException>(() => SysvShmFile.Parse("", "sysvipc/shm"));
        Assert.Equal((1, "key"), (e.Line, e.Field));
    }

    [Fact]
    public void MalformedSizeNamesFileLineAndField()
    {
        var e = Assert.Throws<ProcFormatException>(() => SysvShmFile.Read(new ProcRoot(TestPaths.ProcFixture("malformed"))));
        Assert.Equal("sysvipc/shm", e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("size", e.Field);
        Assert.Equal("sysvipc/shm:3: field 'size': not a number: '4O96'", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public void RowWithWrongColumnCountNamesTheLine()
    {
        var text = Header + "\n" + "  1 2 600 4096 1 0 0 0 0 0 0 0 0 0 0\n";
        var e = Assert.Throws<ProcFormatException>(() => SysvShmFile.Parse(text, "shm"));
        Assert.Equal((3, "columns"), (e.Line, e.Field));
        Assert.Contains("expected 16 values, found 15", e.Message);
    }

    [Theory]
    [InlineData("key", "x1")]
    [InlineData("key", "4294967296")]
    [InlineData("perms", "689")]
    [InlineData("uid", "-1")]
    [InlineData("ctime", "9999999999999")]
    public void BadValueNamesItsColumn(string column, string value)
    {
        var names = Header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = names.Select(n => n == column ? value : "1");
        var e = Assert.Throws<ProcFormatException>(() => SysvShmFile.Parse(Header + string.Join(' ', values) + "\n", "shm"));
        Assert.Equal((2, column), (e.Line, e.Field));
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void BlankLinesAndCrLfAreIgnored()
    {
        var text = Header.TrimEnd('\n') + "\r\n\r\n  1 2 600 4096 1 0 0 0 0 0 0 0 0 0 0 0\r\n\n";
        Assert.Equal(2, SysvShmFile.Parse(text, "shm").Single().Id);
    }

    [Fact]
    public void HeaderOnlyMeansNoSegments()
    {
        Assert.Empty(SysvShmFile.Parse(Header, "shm"));
    }

    [Fact]
    public void MissingSysvipcReturnsNull()
    {
        var root = new ProcRoot(TestPaths.ProcFixture("no-sysvipc"));
        Assert.Null(SysvShmFile.Read(root));
        Assert.Null(SysvSemFile.Read(root));
        Assert.Null(SysvMsgFile.Read(root));
    }

    private const string Header =
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n";
}
