using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

/// <summary>
/// What an IPC namespace is called, from its processes' /proc/PID/cgroup (the committed fixtures of
/// Fixtures/cgroup, v1 and v2 for each runtime), its UTS hostname and its oldest command.
/// </summary>
public class NamespaceLabelerTests
{
    private const ulong Container = 4026532300;

    /// <summary>A /proc with pid 100 (the oldest: comm <paramref name="comm"/>, a plain service's cgroup) and pid 101 in <paramref name="fixture"/>'s cgroup.</summary>
    private static string Label(string? fixture, string? uts = null, string comm = "postgres", ulong inode = Container)
    {
        using var proc = new TempDirectory();
        Directory.CreateDirectory(proc.File("100"));
        Directory.CreateDirectory(proc.File("101"));
        File.WriteAllText(proc.File("100/comm"), comm + "\n");
        File.WriteAllText(proc.File("100/cgroup"), "0::/\n");
        if (fixture is not null) File.Copy(Path.Combine(TestPaths.Fixtures, "cgroup", fixture), proc.File("101/cgroup"));
        return NamespaceLabeler.Label(new ProcRoot(proc.Path), inode, [100, 101], uts, "db1").Text;
    }

    [Theory]
    [InlineData("docker-v2", "docker:4f1c5b2e8a3d")]
    [InlineData("docker-v1", "docker:4f1c5b2e8a3d")]
    [InlineData("podman-v1", "podman:9a8b7c6d5e4f")]
    [InlineData("podman-rootless-v2", "podman:9a8b7c6d5e4f")]
    [InlineData("lxc-v1", "lxc:web1")]
    [InlineData("lxc-v2", "lxc:web1")]
    public void AContainerIsNamedByItsRuntimeAndShortId(string fixture, string label) => Assert.Equal(label, Label(fixture));

    [Theory]
    [InlineData("kubernetes-containerd-v2")]
    [InlineData("kubernetes-crio-v2")]
    [InlineData("kubernetes-cgroupfs-v1")]
    public void APodIsNamedByItsUidWhateverItsRuntime(string fixture) =>
        Assert.Equal("kubernetes pod:6b4f2c1e-8d3a-4b7c-9e2f-1a0b3c4d5e6f", Label(fixture));

    [Fact]
    public void TheContainerWinsOverTheHostname() => Assert.Equal("docker:4f1c5b2e8a3d", Label("docker-v2", uts: "4f1c5b2e8a3d"));

    [Fact]
    public void WithoutAContainerItsOwnHostnameNamesIt() => Assert.Equal("uts:build-7", Label("systemd-service-v2", uts: "build-7"));

    [Fact]
    public void TheHostsOwnHostnameSaysNothingSoTheOldestCommandNamesIt() =>
        Assert.Equal("cmd:postgres", Label("systemd-service-v2", uts: "db1"));

    [Fact]
    public void TheInitialNamespaceIsTheHost() => Assert.Equal("host", Label("docker-v2", inode: NsIpcLink.InitialNamespace));

    [Fact]
    public void NothingKnownLeavesTheInode() => Assert.Equal("ipc:4026532300", Label(null, comm: ""));
}
