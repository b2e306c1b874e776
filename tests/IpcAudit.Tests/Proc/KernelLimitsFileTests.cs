using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class KernelLimitsFileTests
{
    [Fact]
    public void ModernLimitsAreRead()
    {
        var l = KernelLimitsFile.Read(new ProcRoot(TestPaths.ProcFixture("modern")));
        Assert.Equal(18446744073692774399ul, l.Shmmax);
        Assert.Equal(18446744073692774399ul, l.Shmall);
        Assert.Equal(4096ul, l.Shmmni);
        Assert.Equal(0ul, l.ShmRmidForced);
        Assert.Equal((32000ul, 1024000000ul, 500ul, 32000ul), (l.Semmsl!.Value, l.Semmns!.Value, l.Semopm!.Value, l.Semmni!.Value));
        Assert.Equal((8192ul, 16384ul, 32000ul), (l.Msgmax!.Value, l.Msgmnb!.Value, l.Msgmni!.Value));
    }

    [Fact]
    public void NearTwoToTheSixtyFourLimitRoundTrips()
    {
        const string text = "18446744073692774399\n";
        var value = KernelLimitsFile.Parse(text, "sys/kernel/shmall", "shmall");
        Assert.Equal(ulong.MaxValue - 16777216, value);
        Assert.Equal(text.TrimEnd(), value.ToString());
        Assert.Equal(ulong.MaxValue, KernelLimitsFile.Parse("18446744073709551615", "sys/kernel/shmmax", "shmmax"));
    }

    [Fact]
    public void MissingLimitFileIsNullNotAnError()
    {
        var l = KernelLimitsFile.Read(new ProcRoot(TestPaths.ProcFixture("old-kernel")));
        Assert.Null(l.ShmRmidForced);
        Assert.Equal(68719476736ul, l.Shmmax);
        Assert.Equal(250ul, l.Semmsl);
    }

    [Fact]
    public void TreeWithoutSysctlsGivesAllNull()
    {
        var l = KernelLimitsFile.Read(new ProcRoot(TestPaths.ProcFixture("malformed")));
        Assert.Equal(new Collector.Model.IpcLimits(), l);
    }

    [Fact]
    public void MalformedLimitNamesRelativePathAndField()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("sys/kernel"));
        File.WriteAllText(temp.File("sys/kernel/shmall"), "lots\n");
        var e = Assert.Throws<ProcFormatException>(() => KernelLimitsFile.Read(new ProcRoot(temp.Path)));
        Assert.Equal("sys/kernel/shmall:1: field 'shmall': not a number: 'lots'", e.Message);
    }

    [Fact]
    public void OverflowingLimitIsMalformedNotWrapped()
    {
        var e = Assert.Throws<ProcFormatException>(() => KernelLimitsFile.Parse("18446744073709551616", "sys/kernel/shmmax", "shmmax"));
        Assert.Equal("shmmax", e.Field);
    }

    [Theory]
    [InlineData("32000\t1024000000\t500\t32000\n")]
    [InlineData("  32000   1024000000 500\t\t32000")]
    public void SemLimitsSplitOnTabsOrSpaces(string text)
    {
        var l = KernelLimitsFile.ParseSem(text, "sys/kernel/sem");
        Assert.Equal((32000ul, 1024000000ul, 500ul, 32000ul), (l.Semmsl!.Value, l.Semmns!.Value, l.Semopm!.Value, l.Semmni!.Value));
        Assert.Null(l.Shmmax);
    }

    [Fact]
    public void SemLimitsWithThreeValuesAreMalformed()
    {
        var e = Assert.Throws<ProcFormatException>(() => KernelLimitsFile.ParseSem("250\t32000\t32\n", "sys/kernel/sem"));
        Assert.Equal(("sys/kernel/sem", "sem"), (e.File, e.Field));
    }

    [Fact]
    public void BadSemValueNamesItsLimit()
    {
        var e = Assert.Throws<ProcFormatException>(() => KernelLimitsFile.ParseSem("250\t32000\tx\t128\n", "sys/kernel/sem"));
        Assert.Equal("semopm", e.Field);
    }
}
