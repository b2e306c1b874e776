using System.Globalization;
using System.Text.Json;
using IpcAudit.Tests.Kernel;
using Xunit;

namespace IpcAudit.Tests.Report;

/// <summary>
/// Limits as the kernel counts them, in a private IPC namespace: a segment at SHMMAX and an array at
/// SEMMSL (caps, as an Oracle instance sizes them), and a queue filled with empty messages until the
/// kernel refuses another — full by message count with no bytes queued.
/// </summary>
public sealed class CapsAndFullQueueScenario
{
    private readonly Lazy<ReportRun> _run;
    internal ReportScenario Scenario { get; } = new();
    internal ReportRun Run => _run.Value;

    public CapsAndFullQueueScenario()
    {
        var s = Scenario.Sysctl("shmmax", "1048576").Sysctl("sem", "4 32000 32 128");
        s.Step("shm --key 0xa1 --size 1048576");                         // the largest segment SHMMAX allows
        s.Step("sem --key 0xa2 --nsems 4");                              // an array of SEMMSL semaphores
        var queue = s.Step("msg --key 0xa3 --qbytes 1000 --count 500 --size 0");
        s.CollectAt(0);
        s.Report("caps", 0.5, "--fail-on pressure");
        s.Step($"msg-send --id {queue.Id} --count 500 --size 0 --expect-full"); // the 1,001st message is refused
        s.CollectAt(1).CollectAt(2);
        s.Report("full", 2.5, "--fail-on pressure");
        _run = new(() => Scenario.Run());
    }
}

[Trait("Category", "Kernel")]
public sealed class PressureKernelTests(CapsAndFullQueueScenario scenario) : IClassFixture<CapsAndFullQueueScenario>
{
    private static JsonElement Limit(JsonElement report, string name) =>
        report.GetProperty("pressure").EnumerateArray().Single(p => p.GetProperty("limit").GetString() == name);

    [KernelFact]
    public void ObjectsAtTheirCapsAreInformationAndDoNotFailThePressureCheck()
    {
        var (report, exitCode, stderr) = scenario.Run.Report("caps");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        foreach (var (name, size) in new[] { ("SHMMAX", 1048576UL), ("SEMMSL", 4UL) })
        {
            var cap = Limit(report, name);
            Assert.Equal("cap", cap.GetProperty("role").GetString());
            Assert.Equal((size, size, 100.0), (cap.GetProperty("used").GetUInt64(), cap.GetProperty("max").GetUInt64(), cap.GetProperty("percent").GetDouble()));
            Assert.Equal(JsonValueKind.Null, cap.GetProperty("exhausted_since").ValueKind);
        }
        Assert.Equal(50.0, Limit(report, "MSGMNB").GetProperty("percent").GetDouble());
    }

    [KernelFact]
    public void AQueueOfEmptyMessagesIsExhaustedSinceItReachedQbytesMessages()
    {
        var (report, exitCode, stderr) = scenario.Run.Report("full");

        Assert.True(exitCode == 10, $"exit {exitCode}: {stderr}");
        var msgmnb = Limit(report, "MSGMNB");
        Assert.Equal((1000UL, 1000UL, 100.0), (msgmnb.GetProperty("used").GetUInt64(), msgmnb.GetProperty("max").GetUInt64(), msgmnb.GetProperty("percent").GetDouble()));
        Assert.Equal((1000UL, 0UL), (msgmnb.GetProperty("queue_messages").GetUInt64(), msgmnb.GetProperty("queue_bytes").GetUInt64()));
        Assert.Equal(scenario.Scenario.T0.AddHours(1),
            DateTimeOffset.Parse(msgmnb.GetProperty("exhausted_since").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(JsonValueKind.Null, msgmnb.GetProperty("projected_exhaustion").ValueKind);
    }
}
