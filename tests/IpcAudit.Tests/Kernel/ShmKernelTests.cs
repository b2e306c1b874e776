using System.Globalization;
using System.Text.Json;
using IpcAudit.Collector.Model;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Shared memory segments made in a private IPC namespace, as collect and ipcs see them.</summary>
public sealed class ShmScenario : KernelScenarioFixture
{
    internal readonly ScenarioStep Plain, Attached, Attacher, Doomed, DoomedAttacher, Locked;

    public ShmScenario()
    {
        var s = Scenario;
        Plain = s.Step("shm --key 0x2a --size 65536 --mode 0600");
        Attached = s.Step("shm --key 0x2b --size 10000 --mode 0640");
        Attacher = s.Step($"shm-attach --id {Attached.Id} --touch");
        Doomed = s.Step("shm --key 0x2c --size 4096 --mode 0666");
        DoomedAttacher = s.Step($"shm-attach --id {Doomed.Id}");
        s.Step($"shm-rmid --id {Doomed.Id}");
        Locked = s.Step("shm --key 0xdeadbeef --size 8192 --mode 0600 --lock");
        s.Step("shm --key private --size 1 --mode 0644");
    }
}

[Trait("Category", "Kernel")]
public sealed class ShmKernelTests(ShmScenario scenario) : IClassFixture<ShmScenario>
{
    private KernelRun Run => scenario.Run;

    [KernelFact]
    public void CollectListsTheSameSegmentsAsIpcs()
    {
        var ipcs = IpcsOutput.Table(IpcsOutput.Section(Run.Ipcs("-a"), "Shared Memory Segments")).Select(r => r["shmid"]);
        var collect = Run.Snapshot.GetProperty("shm").EnumerateArray().Select(o => FieldComparison.NumberText(o.GetProperty("id")));
        Assert.Equal(ipcs.Order(), collect.Order());
    }

    [KernelFact]
    public void EverySegmentMatchesIpcsDetails()
    {
        var diff = new FieldComparison();
        var segments = diff.Details(Run, IpcsKind.Shm, "access_perms", ["bytes", "lpid", "cpid", "nattch"],
            ("att_time", "atime"), ("det_time", "dtime"), ("change_time", "ctime"));
        foreach (var (what, ipcs, shm) in segments)
            diff.Text(what + " status", string.Join(' ', IpcMode.ShmStatus(IpcsOutput.Octal(IpcsOutput.Details(ipcs)["mode"]))), Status(shm));
        diff.AssertNone();
    }

    [KernelFact]
    public void EverySegmentRowMatchesTheIpcsTables()
    {
        var diff = new FieldComparison();
        diff.Rows(Run, IpcsKind.Shm, ("bytes", "bytes"), ("nattch", "nattch"));
        var rows = IpcsOutput.Section(Run.Ipcs("-b"), IpcsKind.Shm.Objects);
        foreach (var shm in Run.Snapshot.GetProperty("shm").EnumerateArray())
        {
            var id = FieldComparison.NumberText(shm.GetProperty("id"));
            diff.Text($"shm {id} status", IpcsOutput.Row(rows, "shmid", id)["status"], Status(shm));
        }
        diff.AssertNone();
    }

    [KernelFact]
    public void SegmentWithoutAttachersHasNoAttachedPids()
    {
        var shm = Run.Shm(Run.IdOf(scenario.Plain));
        Assert.Equal("0x0000002a", shm.GetProperty("key").GetString());
        Assert.Equal("0600", shm.GetProperty("perms").GetString());
        Assert.Equal(0, shm.GetProperty("nattch").GetInt64());
        Assert.Empty(Status(shm));
        Assert.Empty(shm.GetProperty("attached_pids").EnumerateArray());
        Assert.Null(FieldComparison.TimeOf(shm, "atime"));
    }

    [KernelFact]
    public void AttachedSegmentListsTheAttacherPid()
    {
        var shm = Run.Shm(Run.IdOf(scenario.Attached));
        var attacher = Run.PidOf(scenario.Attacher);
        Assert.Equal(1, shm.GetProperty("nattch").GetInt64());
        Assert.Equal([attacher], shm.GetProperty("attached_pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(attacher, shm.GetProperty("lpid").GetInt32());
        Assert.True(Run.Process(attacher).GetProperty("alive").GetBoolean(), "the attacher sleeps: it is alive");
    }

    [KernelFact]
    public void TouchedSegmentIsResidentInWholePages()
    {
        var shm = Run.Shm(Run.IdOf(scenario.Attached));
        var page = Run.Snapshot.GetProperty("page_size").GetUInt64();
        Assert.Equal((10000 + page - 1) / page * page, shm.GetProperty("rss_bytes").GetUInt64());
        Assert.Equal(0UL, shm.GetProperty("swap_bytes").GetUInt64());
    }

    [KernelFact]
    public void RemovedAttachedSegmentIsDestWithKeyZero()
    {
        var shm = Run.Shm(Run.IdOf(scenario.Doomed));
        Assert.Equal("0x00000000", shm.GetProperty("key").GetString());
        Assert.Equal("dest", Status(shm));
        Assert.Equal([Run.PidOf(scenario.DoomedAttacher)], shm.GetProperty("attached_pids").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal("dest", IpcsOutput.Row(IpcsOutput.Section(Run.Ipcs("-a"), "Shared Memory Segments"), "shmid",
            Run.IdOf(scenario.Doomed).ToString(CultureInfo.InvariantCulture))["status"]);
    }

    [KernelFact]
    public void LockedSegmentIsLockedAndKeepsItsHighBitKey()
    {
        var shm = Run.Shm(Run.IdOf(scenario.Locked));
        Assert.Equal("0xdeadbeef", shm.GetProperty("key").GetString());
        Assert.Equal("locked", Status(shm));
    }

    [KernelFact]
    public void CreatorThatExitedIsNotAlive()
    {
        var cpid = Run.Shm(Run.IdOf(scenario.Plain)).GetProperty("cpid").GetInt32();
        Assert.False(Run.Process(cpid).GetProperty("alive").GetBoolean());
    }

    [KernelFact]
    public void DefaultShmLimitsBeyondLongMatchIpcsInBytes()
    {
        var limits = Run.Snapshot.GetProperty("limits");
        var ipcs = IpcsOutput.Labels(IpcsOutput.Section(Run.Ipcs("-l", "-b"), "Shared Memory Limits"));
        var shmmax = limits.GetProperty("shmmax").GetUInt64();
        Assert.True(shmmax > long.MaxValue, $"a new namespace starts at the kernel default SHMMAX, got {shmmax}");
        Assert.Equal(IpcsOutput.Number(ipcs, "max seg size (bytes)"), shmmax);
        Assert.Equal(IpcsOutput.Number(ipcs, "max total shared memory (bytes)"),
            IpcsOutput.TotalSharedMemoryBytes(limits.GetProperty("shmall").GetUInt64(), Run.Snapshot.GetProperty("page_size").GetUInt64()));
    }

    /// <summary>The status as ipcs -a prints it: "dest", "locked", "dest locked" or "".</summary>
    private static string Status(JsonElement shm) =>
        string.Join(' ', shm.GetProperty("status").EnumerateArray().Select(s => s.GetString()));
}
