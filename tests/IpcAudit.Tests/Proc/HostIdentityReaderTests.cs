using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class HostIdentityReaderTests
{
    private static readonly string Modern = TestPaths.ProcFixture("modern");

    [Fact]
    public void FixtureIdentityIsRead()
    {
        var id = new HostIdentityReader(new ProcRoot(Modern), Path.Combine(Modern, "etc", "machine-id")).Read();
        Assert.Equal("ipc-fixture-01", id.Host);
        Assert.Equal("3b1f9d0e7a2c4e58b6d41f0a9c7e2d35", id.MachineId);
        Assert.Equal("5f0c3a9e-8d4b-4c1e-9a77-2b6e1d0c4f13", id.BootId);
        Assert.Equal("6.18.44-fc-v657", id.Kernel);
        Assert.Equal(4026531839ul, id.IpcNamespace);
        Assert.Equal(Environment.SystemPageSize, id.PageSize);
    }

    [Fact]
    public void HostOverrideWinsAndMissingMachineIdIsNull()
    {
        var id = new HostIdentityReader(new ProcRoot(Modern), Path.Combine(Modern, "no-such-machine-id"), "db-7").Read();
        Assert.Equal("db-7", id.Host);
        Assert.Null(id.MachineId);
    }

    [Fact]
    public void SavedTreeWithoutHostnameDoesNotBorrowThisMachinesName()
    {
        var id = new HostIdentityReader(new ProcRoot(TestPaths.ProcFixture("malformed")), "/nonexistent/machine-id").Read();
        Assert.Equal("unknown", id.Host);
        Assert.Null(id.BootId);
        Assert.Null(id.IpcNamespace);
    }

    [Theory]
    [InlineData("ipc:[4026531839]", 4026531839ul)]
    [InlineData("ipc:[1]", 1ul)]
    [InlineData("net:[4026531840]", null)]
    [InlineData("ipc:[]", null)]
    [InlineData("ipc:[12x]", null)]
    [InlineData("ipc:4026531839", null)]
    public void NamespaceLinkTargetParses(string target, ulong? inode)
    {
        Assert.Equal(inode, NsIpcLink.ParseTarget(target));
    }

    [Fact]
    public void MissingNamespaceLinkIsNull()
    {
        Assert.Null(NsIpcLink.Read(new ProcRoot(Modern), 4101));
        Assert.Null(NsIpcLink.Read(new ProcRoot(Modern), 99999));
        Assert.Equal(4026532177ul, NsIpcLink.Read(new ProcRoot(Modern), 4200));
    }

    private static uint? SysUidMaxOf(string tree) =>
        new HostIdentityReader(new ProcRoot(TestPaths.ProcFixture(tree)), "/nonexistent/machine-id", null,
            Path.Combine(TestPaths.ProcFixture(tree), "etc", "login.defs")).Read().SysUidMax;

    [Fact]
    public void SysUidMaxIsReadFromLoginDefs() => Assert.Equal(499u, SysUidMaxOf("modern"));

    [Fact]
    public void CommentedSysUidMaxIsUnknown() => Assert.Null(SysUidMaxOf("old-kernel"));

    [Fact]
    public void MissingLoginDefsIsUnknown() => Assert.Null(SysUidMaxOf("malformed"));

    [Theory]
    [InlineData("SYS_UID_MAX 999\n", 999u)]
    [InlineData("  SYS_UID_MAX\t0x3E7  \n", 999u)]        // shadow reads numbers as C does: hex
    [InlineData("SYS_UID_MAX 01747\n", 999u)]               // and leading-0 octal
    [InlineData("SYS_UID_MAX 100\nSYS_UID_MAX 200\n", 200u)] // the last definition wins
    [InlineData("SYS_UID_MAX \"300\"\n", 300u)]
    [InlineData("#SYS_UID_MAX 999\n", null)]
    [InlineData("SYS_UID_MAXIMUM 5\nSYS_UID_MIN 100\n", null)]
    [InlineData("SYS_UID_MAX lots\n", null)]
    [InlineData("SYS_UID_MAX 099\n", null)]                 // 9 is not an octal digit
    [InlineData("", null)]
    public void LoginDefsLinesParse(string text, uint? expected)
    {
        Assert.Equal(expected, LoginDefsFile.ParseSysUidMax(text));
    }
}
