using System.Globalization;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Message queues with messages sent and received by children that have exited.</summary>
public sealed class MsgScenario : KernelScenarioFixture
{
    internal readonly ScenarioStep Busy, Receiver, Lowered, Backlog;

    public MsgScenario()
    {
        var s = Scenario;
        Busy = s.Step("msg --key 0x40 --mode 0600 --count 3 --size 100");
        Receiver = s.Step($"msg-recv --id {Busy.Id} --count 1");
        Lowered = s.Step("msg --key 0x41 --mode 0640 --qbytes 8000");
        Backlog = s.Step("msg --key private --mode 0666 --count 5 --size 1000");
    }
}

[Trait("Category", "Kernel")]
public sealed class MsgKernelTests(MsgScenario scenario) : IClassFixture<MsgScenario>
{
    private KernelRun Run => scenario.Run;

    [KernelFact]
    public void EveryQueueMatchesIpcsDetails()
    {
        var diff = new FieldComparison();
        diff.Details(Run, IpcsKind.Msg, "mode", ["cbytes", "qbytes", "qnum", "lspid", "lrpid"],
            ("send_time", "stime"), ("rcv_time", "rtime"), ("change_time", "ctime"));
        diff.AssertNone();
    }

    [KernelFact]
    public void EveryQueueRowMatchesTheIpcsTables()
    {
        var diff = new FieldComparison();
        diff.Rows(Run, IpcsKind.Msg, ("used-bytes", "cbytes"), ("messages", "qnum"));
        diff.AssertNone();
    }

    [KernelFact]
    public void SenderAndReceiverAreChildrenThatExited()
    {
        var msg = Run.Msg(Run.IdOf(scenario.Busy));
        var sender = Run[scenario.Busy].GetProperty("lspid").GetInt32();
        var receiver = Run[scenario.Receiver].GetProperty("lrpid").GetInt32();
        Assert.Equal(sender, msg.GetProperty("lspid").GetInt32());
        Assert.Equal(receiver, msg.GetProperty("lrpid").GetInt32());
        Assert.Equal(2UL, msg.GetProperty("qnum").GetUInt64());
        Assert.Equal(200UL, msg.GetProperty("cbytes").GetUInt64());
        Assert.False(Run.Process(sender).GetProperty("alive").GetBoolean());
        Assert.False(Run.Process(receiver).GetProperty("alive").GetBoolean());
    }

    [KernelFact]
    public void LoweredQueueCapacityIsReadFromIpcStat()
    {
        var msg = Run.Msg(Run.IdOf(scenario.Lowered));
        Assert.Equal(8000UL, msg.GetProperty("qbytes").GetUInt64());
        Assert.Equal(0UL, msg.GetProperty("qnum").GetUInt64());
        Assert.Equal(0, msg.GetProperty("lrpid").GetInt32());
    }

    [KernelFact]
    public void QueueNobodyReadsHasNoReceiveTime()
    {
        var msg = Run.Msg(Run.IdOf(scenario.Backlog));
        Assert.Equal("0x00000000", msg.GetProperty("key").GetString());
        Assert.Equal(5000UL, msg.GetProperty("cbytes").GetUInt64());
        Assert.Null(FieldComparison.TimeOf(msg, "rtime"));
        Assert.NotNull(FieldComparison.TimeOf(msg, "stime"));
    }
}
