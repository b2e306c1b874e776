using System.Globalization;
using System.Text.Json;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// Objects whose usage numbers all differ (3 segments, 20 pages, 16 resident; 2 arrays,
/// 8 semaphores; 2 queues, 6 messages, 420 bytes), so a field read from the wrong offset cannot pass by luck.
/// </summary>
public sealed class UsageScenario : KernelScenarioFixture
{
    public UsageScenario()
    {
        var s = Scenario;
        var big = s.Step("shm --key 0x50 --size 65536");
        s.Step($"shm-attach --id {big.Id} --touch");
        s.Step("shm --key 0x51 --size 10000");
        s.Step("shm --key 0x52 --size 1");
        s.Step("sem --key 0x60 --nsems 3");
        s.Step("sem --key 0x61 --nsems 5");
        var read = s.Step("msg --key 0x70 --count 3 --size 100");
        s.Step($"msg-recv --id {read.Id} --count 1");
        s.Step("msg --key 0x71 --count 4 --size 55");
    }
}

/// <summary>
/// A namespace with its own IPC sysctls, none at its default. No objects: shm_rmid_forced = 1
/// would destroy every segment nobody attaches.
/// </summary>
public sealed class LimitsScenario : KernelScenarioFixture
{
    public LimitsScenario() => Scenario
        .Sysctl("shmmni", "128")
        .Sysctl("shmall", "2097152")
        .Sysctl("shmmax", "1073741824")
        .Sysctl("shm_rmid_forced", "1")
        .Sysctl("sem", "300 9000 40 200")
        .Sysctl("msgmni", "64")
        .Sysctl("msgmax", "4096")
        .Sysctl("msgmnb", "8192");
}

[Trait("Category", "Kernel")]
public sealed class UsageAndLimitsKernelTests(UsageScenario usage, LimitsScenario limits)
    : IClassFixture<UsageScenario>, IClassFixture<LimitsScenario>
{
    private JsonElement Usage => usage.Run.Snapshot.GetProperty("usage");
    private JsonElement Limits => limits.Run.Snapshot.GetProperty("limits");

    [KernelFact]
    public void UsageEqualsIpcsSummary()
    {
        var diff = new FieldComparison();
        var sections = IpcsOutput.Sections(usage.Run.Ipcs("-u"));
        diff.Labels("usage", IpcsOutput.Labels(sections["Shared Memory Status"]), Usage,
            ("segments allocated", "shm_segments"), ("pages allocated", "shm_pages_allocated"),
            ("pages resident", "shm_pages_resident"), ("pages swapped", "shm_pages_swapped"));
        diff.Labels("usage", IpcsOutput.Labels(sections["Semaphore Status"]), Usage,
            ("used arrays", "sem_arrays"), ("allocated semaphores", "sem_semaphores"));
        diff.Labels("usage", IpcsOutput.Labels(sections["Messages Status"]), Usage,
            ("allocated queues", "msg_queues"), ("used headers", "msg_messages"), ("used space", "msg_bytes"));
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
        Assert.Equal(Listing(expected), Listing(expected.Keys.ToDictionary(k => k, k => Usage.GetProperty(k).GetInt64())));
    }

    [KernelFact]
    public void LimitsEqualIpcsLimits()
    {
        var diff = new FieldComparison();
        var sections = IpcsOutput.Sections(limits.Run.Ipcs("-l"));
        var shm = IpcsOutput.Labels(sections["Shared Memory Limits"]);
        var page = limits.Run.Snapshot.GetProperty("page_size").GetUInt64();
        diff.Labels("limits", shm, Limits, ("max number of segments", "shmmni"));
        // ipcs -l prints both shm sizes in kbytes, rounded down.
        diff.Text("limits shmmax / 1024", shm["max seg size (kbytes)"], (Limits.GetProperty("shmmax").GetUInt64() / 1024).ToString(CultureInfo.InvariantCulture));
        diff.Text("limits shmall * page / 1024", shm["max total shared memory (kbytes)"],
            (Limits.GetProperty("shmall").GetUInt64() * page / 1024).ToString(CultureInfo.InvariantCulture));
        diff.Labels("limits", IpcsOutput.Labels(sections["Semaphore Limits"]), Limits,
            ("max number of arrays", "semmni"), ("max semaphores per array", "semmsl"),
            ("max semaphores system wide", "semmns"), ("max ops per semop call", "semopm"));
        diff.Labels("limits", IpcsOutput.Labels(sections["Messages Limits"]), Limits,
            ("max queues system wide", "msgmni"), ("max size of message (bytes)", "msgmax"),
            ("default max size of queue (bytes)", "msgmnb"));
        diff.Labels("limits", IpcsOutput.Labels(IpcsOutput.Section(limits.Run.Ipcs("-l", "-b"), "Shared Memory Limits")), Limits,
            ("max seg size (bytes)", "shmmax"));
        diff.AssertNone();
    }

    [KernelFact]
    public void LimitsAreTheNamespacesOwnSysctls()
    {
        var actual = new[] { "shmmni", "shmall", "shmmax", "shm_rmid_forced", "semmsl", "semmns", "semopm", "semmni", "msgmni", "msgmax", "msgmnb" }
            .ToDictionary(k => k, k => Limits.GetProperty(k).GetUInt64());
        Assert.Equal(Listing(new Dictionary<string, ulong>
        {
            ["shmmni"] = 128, ["shmall"] = 2097152, ["shmmax"] = 1073741824, ["shm_rmid_forced"] = 1,
            ["semmsl"] = 300, ["semmns"] = 9000, ["semopm"] = 40, ["semmni"] = 200,
            ["msgmni"] = 64, ["msgmax"] = 4096, ["msgmnb"] = 8192,
        }), Listing(actual));
        Assert.Equal(limits.Run.File("shm_rmid_forced.txt").Trim(), FieldComparison.NumberText(Limits.GetProperty("shm_rmid_forced")));
    }

    [KernelFact]
    public void SnapshotNamesThePrivateNamespaceAndPageSize()
    {
        var run = usage.Run;
        var inNamespace = ulong.Parse(run.File("ipc_namespace.txt"), CultureInfo.InvariantCulture);
        Assert.Equal(inNamespace, run.Snapshot.GetProperty("ipc_namespace").GetUInt64());
        Assert.NotEqual(new FileInfo("/proc/self/ns/ipc").LinkTarget, $"ipc:[{inNamespace}]");
        Assert.Equal(ulong.Parse(run.File("page_size.txt"), CultureInfo.InvariantCulture), run.Snapshot.GetProperty("page_size").GetUInt64());
    }

    /// <summary>"name=value, ..." so a failure shows every field, not a truncated dictionary.</summary>
    private static string Listing<T>(IReadOnlyDictionary<string, T> fields) => string.Join(", ", fields.Select(f => $"{f.Key}={f.Value}"));
}
