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
}
