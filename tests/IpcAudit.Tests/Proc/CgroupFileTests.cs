using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

/// <summary>The service and container each runtime's /proc/PID/cgroup names (Fixtures/cgroup/README.md).</summary>
public class CgroupFileTests
{
    private const string DockerId = "4f1c5b2e8a3d9c7b6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d";
    private const string PodmanId = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
    private const string KubeId = "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2";
    private const string PodUid = "6b4f2c1e-8d3a-4b7c-9e2f-1a0b3c4d5e6f";

    private static (string? Unit, string? Runtime, string? Container, string? Pod) Of(string fixture)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "cgroup", fixture));
        var path = CgroupFile.ParsePath(text);
        Assert.NotNull(path);
        var id = CgroupFile.Classify(path);
        return (id.Unit, id.Runtime, id.ContainerId, id.PodUid);
    }

    [Theory]
    [InlineData("systemd-service-v2", "postgresql@15-main.service")]
    [InlineData("systemd-service-v1", "apache2.service")]
    [InlineData("user-service-v2", "worker.service")]
    public void ServiceUnitIsTheInnermostUnit(string fixture, string unit) =>
        Assert.Equal((unit, null, null, null), Of(fixture));

    [Theory]
    [InlineData("docker-v2")]
    [InlineData("docker-v1")] // cgroupfs driver: the unified line still says containerd.service; name=systemd has the container
    public void DockerContainer(string fixture) => Assert.Equal((null, "docker", DockerId, null), Of(fixture));

    [Theory]
    [InlineData("podman-rootless-v2")]
    [InlineData("podman-v1")]
    public void PodmanContainer(string fixture) => Assert.Equal((null, "podman", PodmanId, null), Of(fixture));

    [Theory]
    [InlineData("kubernetes-containerd-v2", "containerd")]
    [InlineData("kubernetes-crio-v2", "cri-o")]
    [InlineData("kubernetes-cgroupfs-v1", "kubernetes")]
    public void KubernetesPodAndContainer(string fixture, string runtime) =>
        Assert.Equal((null, runtime, KubeId, PodUid), Of(fixture));

    [Theory]
    [InlineData("lxc-v2")]
    [InlineData("lxc-v1")]
    public void LxcContainerAndTheServiceInsideIt(string fixture) =>
        Assert.Equal(("postgresql.service", "lxc", "web1", null), Of(fixture));

    [Fact]
    public void CgroupNamespaceRootNamesNothing() => Assert.Equal((null, null, null, null), Of("cgroup-namespace-root"));

    [Fact]
    public void PodmanMonitorIsNotTheContainer()
    {
        var id = CgroupFile.Classify($"/machine.slice/libpod-conmon-{PodmanId}.scope");
        Assert.Null(id.ContainerId);
        Assert.Equal($"libpod-conmon-{PodmanId}.scope", id.Unit);
    }

    [Fact]
    public void MalformedLinesAreSkipped() =>
        Assert.Equal("/system.slice/cron.service", CgroupFile.ParsePath("garbage\n7:cpu\n3:memory:relative\n0::/system.slice/cron.service\n"));

    [Fact]
    public void LiveProcessOfThisTestHasACgroupPath()
    {
        var id = CgroupFile.Read(ProcRoot.Live, Environment.ProcessId);
        Assert.NotNull(id);
        Assert.StartsWith("/", id.Path);
        Assert.Null(CgroupFile.Read(ProcRoot.Live, int.MaxValue));
    }
}
