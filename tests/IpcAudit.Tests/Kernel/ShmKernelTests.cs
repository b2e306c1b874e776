using System.Globalization;
using System.Text.Json;
using IpcAudit.Collector.Model;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Shared memory segments made in a private IPC namespace, as collect and ipcs see them.</summary>
public sealed class ShmScenario
{
    internal readonly ScenarioStep Plain, Attached, Attacher, Doomed, DoomedAttacher, Locked;
    private readonly Lazy<KernelRun> _run;

    public ShmScenario()
    {
        var s = new KernelScenario();
        Plain = s.Step("shm --key 0x2a --size 65536 --mode 0600");
        Attached = s.Step("shm --key 0x2b --size 10000 --mode 0640");
        Attacher = s.Step($"shm-attach --id {Attached.Id} --touch");
        Doomed = s.Step("shm --key 0x2c --size 4096 --mode 0666");
        DoomedAttacher = s.Step($"shm-attach --id {Doomed.Id}");
        s.Step($"shm-rmid --id {Doomed.Id}");
        Locked = s.Step("shm --key 0xdeadbeef --size 8192 --mode 0600 --lock");
        s.Step("shm --key private --size 1 --mode 0644");
        _run = new(s.Run);
    }

    internal KernelRun Run => _run.Value;
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
        foreach (var shm in Run.Snapshot.GetProperty("shm").EnumerateArray())
        {
            var id = shm.GetProperty("id").GetInt32();
            var what = $"shm {id}";
            var ipcs = Run.Details("-m", id);
            foreach (var field in new[] { "uid", "gid", "cuid", "cgid", "bytes", "lpid", "cpid", "nattch" })
                diff.Number(what, ipcs[field], shm, field);
            diff.Text(what + " perms", ipcs["access_perms"], shm.GetProperty("perms").GetString()!);
            diff.Time(what, ipcs["att_time"], shm, "atime");
            diff.Time(what, ipcs["det_time"], shm, "dtime");
            diff.Time(what, ipcs["change_time"], shm, "ctime");
            diff.Text(what + " status", string.Join(' ', IpcMode.ShmStatus(IpcsOutput.Octal(ipcs["mode"]))), Status(shm));
        }
        diff.AssertNone();
    }

    [KernelFact]
    public void EverySegmentRowMatchesTheIpcsTables()
    {
        var diff = new FieldComparison();
        var bytes = IpcsOutput.Section(Run.Ipcs("-b"), "Shared Memory Segments");
        var pids = IpcsOutput.Section(Run.Ipcs("-p"), "Shared Memory Creator/Last-op PIDs");
        var owners = IpcsOutput.Section(Run.Ipcs("-c"), "Shared Memory Segment Creators/Owners");
        var times = IpcsOutput.Section(Run.Ipcs("-t"), "Shared Memory Attach/Detach/Change Times");
        foreach (var shm in Run.Snapshot.GetProperty("shm").EnumerateArray())
        {
            var id = shm.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
            var what = "shm " + id;
            var row = IpcsOutput.Row(bytes, "shmid", id);
            diff.Text(what + " key", row["key"], shm.GetProperty("key").GetString()!);
            diff.Text(what + " perms", IpcsOutput.Octal(row["perms"]).ToString(), IpcsOutput.Octal(shm.GetProperty("perms").GetString()!).ToString());
            diff.Number(what, row["bytes"], shm, "bytes");
            diff.Number(what, row["nattch"], shm, "nattch");
            diff.Text(what + " status", row["status"], Status(shm));

            var pid = IpcsOutput.Row(pids, "shmid", id);
            diff.Number(what, pid["cpid"], shm, "cpid");
            diff.Number(what, pid["lpid"], shm, "lpid");
            diff.Text(what + " perms (-c)", IpcsOutput.Octal(IpcsOutput.Row(owners, "shmid", id)["perms"]).ToString(),
                IpcsOutput.Octal(shm.GetProperty("perms").GetString()!).ToString());

            var (words, when) = IpcsOutput.TimeRow(times.Skip(1).Single(l => l.Split(' ', 2)[0] == id));
            Assert.Equal(id, words[0]);
            diff.Text(what + " atime (-t)", when[0], IpcsOutput.ShortTime(FieldComparison.TimeOf(shm, "atime")));
            diff.Text(what + " dtime (-t)", when[1], IpcsOutput.ShortTime(FieldComparison.TimeOf(shm, "dtime")));
            diff.Text(what + " ctime (-t)", when[2], IpcsOutput.ShortTime(FieldComparison.TimeOf(shm, "ctime")));
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
