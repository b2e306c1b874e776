using System.Globalization;
using System.Text.Json;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// A namespace with its own IPC sysctls and objects whose usage numbers all differ
/// (3 segments, 20 pages, 16 resident; 2 arrays, 8 semaphores; 2 queues, 6 messages, 420 bytes),
/// so a field read from the wrong offset cannot pass by luck.
/// </summary>
public sealed class UsageAndLimitsScenario
{
    private readonly Lazy<KernelRun> _run;

    public UsageAndLimitsScenario()
    {
        var s = new KernelScenario()
            .Sysctl("shmmni", "128")
            .Sysctl("shmall", "2097152")
            .Sysctl("shmmax", "1073741824")
            .Sysctl("sem", "300 9000 40 200")
            .Sysctl("msgmni", "64")
            .Sysctl("msgmax", "4096")
            .Sysctl("msgmnb", "8192");
        var big = s.Step("shm --key 0x50 --size 65536");
        s.Step($"shm-attach --id {big.Id} --touch");
        s.Step("shm --key 0x51 --size 10000");
        s.Step("shm --key 0x52 --size 1");
        s.Step("sem --key 0x60 --nsems 3");
        s.Step("sem --key 0x61 --nsems 5");
        var read = s.Step("msg --key 0x70 --count 3 --size 100");
        s.Step($"msg-recv --id {read.Id} --count 1");
        s.Step("msg --key 0x71 --count 4 --size 55");
        _run = new(s.Run);
    }

    internal KernelRun Run => _run.Value;
}

[Trait("Category", "Kernel")]
public sealed class UsageAndLimitsKernelTests(UsageAndLimitsScenario scenario) : IClassFixture<UsageAndLimitsScenario>
{
    private KernelRun Run => scenario.Run;
    private JsonElement Usage => Run.Snapshot.GetProperty("usage");
    private JsonElement Limits => Run.Snapshot.GetProperty("limits");

    [KernelFact]
    public void UsageEqualsIpcsSummary()
    {
        var diff = new FieldComparison();
        var sections = IpcsOutput.Sections(Run.Ipcs("-u"));
        var shm = IpcsOutput.Labels(sections["Shared Memory Status"]);
        var sem = IpcsOutput.Labels(sections["Semaphore Status"]);
        var msg = IpcsOutput.Labels(sections["Messages Status"]);
        diff.Number("usage", IpcsOutput.Number(shm, "segments allocated"), Usage, "shm_segments");
        diff.Number("usage", IpcsOutput.Number(shm, "pages allocated"), Usage, "shm_pages_allocated");
        diff.Number("usage", IpcsOutput.Number(shm, "pages resident"), Usage, "shm_pages_resident");
        diff.Number("usage", IpcsOutput.Number(shm, "pages swapped"), Usage, "shm_pages_swapped");
        diff.Number("usage", IpcsOutput.Number(sem, "used arrays"), Usage, "sem_arrays");
        diff.Number("usage", IpcsOutput.Number(sem, "allocated semaphores"), Usage, "sem_semaphores");
        diff.Number("usage", IpcsOutput.Number(msg, "allocated queues"), Usage, "msg_queues");
        diff.Number("usage", IpcsOutput.Number(msg, "used headers"), Usage, "msg_messages");
        diff.Number("usage", IpcsOutput.Number(msg, "used space"), Usage, "msg_bytes");
        diff.AssertNone();
    }

    [KernelFact]
    public void UsageCountsWhatTheScenarioMade()
    {
        var expected = new Dictionary<string, long>
        {
            ["shm_segments"] = 3, ["shm_pages_allocated"] = 16 + 3 + 1, ["shm_pages_resident"] = 16, ["shm_pages_swapped"] = 0,
            ["sem_arrays"] = 2, ["sem_semaphores"] = 8,
            ["msg_queues"] = 2, ["msg_messages"] = 6, ["msg_bytes"] = 2 * 100 + 4 * 55,
        };
        Assert.Equal(expected, expected.Keys.ToDictionary(k => k, k => Usage.GetProperty(k).GetInt64()));
    }

    [KernelFact]
    public void LimitsEqualIpcsLimits()
    {
        var diff = new FieldComparison();
        var sections = IpcsOutput.Sections(Run.Ipcs("-l"));
        var shm = IpcsOutput.Labels(sections["Shared Memory Limits"]);
        var sem = IpcsOutput.Labels(sections["Semaphore Limits"]);
        var msg = IpcsOutput.Labels(sections["Messages Limits"]);
        var page = Run.Snapshot.GetProperty("page_size").GetUInt64();
        diff.Number("limits", IpcsOutput.Number(shm, "max number of segments"), Limits, "shmmni");
        // ipcs -l prints both shm sizes in kbytes, rounded down.
        diff.Text("limits shmmax / 1024", shm["max seg size (kbytes)"], (Limits.GetProperty("shmmax").GetUInt64() / 1024).ToString(CultureInfo.InvariantCulture));
        diff.Text("limits shmall * page / 1024", shm["max total shared memory (kbytes)"],
            (Limits.GetProperty("shmall").GetUInt64() * page / 1024).ToString(CultureInfo.InvariantCulture));
        diff.Number("limits", IpcsOutput.Number(sem, "max number of arrays"), Limits, "semmni");
        diff.Number("limits", IpcsOutput.Number(sem, "max semaphores per array"), Limits, "semmsl");
        diff.Number("limits", IpcsOutput.Number(sem, "max semaphores system wide"), Limits, "semmns");
        diff.Number("limits", IpcsOutput.Number(sem, "max ops per semop call"), Limits, "semopm");
        diff.Number("limits", IpcsOutput.Number(msg, "max queues system wide"), Limits, "msgmni");
        diff.Number("limits", IpcsOutput.Number(msg, "max size of message (bytes)"), Limits, "msgmax");
        diff.Number("limits", IpcsOutput.Number(msg, "default max size of queue (bytes)"), Limits, "msgmnb");
        var bytes = IpcsOutput.Labels(IpcsOutput.Section(Run.Ipcs("-l", "-b"), "Shared Memory Limits"));
        diff.Number("limits", IpcsOutput.Number(bytes, "max seg size (bytes)"), Limits, "shmmax");
        diff.AssertNone();
    }

    [KernelFact]
    public void LimitsAreTheNamespacesOwnSysctls()
    {
        var limits = new[] { "shmmni", "shmall", "shmmax", "semmsl", "semmns", "semopm", "semmni", "msgmni", "msgmax", "msgmnb" }
            .ToDictionary(k => k, k => Limits.GetProperty(k).GetUInt64());
        Assert.Equal(new Dictionary<string, ulong>
        {
            ["shmmni"] = 128, ["shmall"] = 2097152, ["shmmax"] = 1073741824,
            ["semmsl"] = 300, ["semmns"] = 9000, ["semopm"] = 40, ["semmni"] = 200,
            ["msgmni"] = 64, ["msgmax"] = 4096, ["msgmnb"] = 8192,
        }, limits);
        Assert.Equal(ulong.Parse(Run.File("shm_rmid_forced.txt"), CultureInfo.InvariantCulture), Limits.GetProperty("shm_rmid_forced").GetUInt64());
    }

    [KernelFact]
    public void SnapshotNamesThePrivateNamespaceAndPageSize()
    {
        var inNamespace = ulong.Parse(Run.File("ipc_namespace.txt"), CultureInfo.InvariantCulture);
        Assert.Equal(inNamespace, Run.Snapshot.GetProperty("ipc_namespace").GetUInt64());
        Assert.NotEqual(new FileInfo("/proc/self/ns/ipc").LinkTarget, $"ipc:[{inNamespace}]");
        Assert.Equal(ulong.Parse(Run.File("page_size.txt"), CultureInfo.InvariantCulture), Run.Snapshot.GetProperty("page_size").GetUInt64());
    }
}
