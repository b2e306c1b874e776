using System.Globalization;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Message queues with messages sent and received by children that have exited.</summary>
public sealed class MsgScenario
{
    internal readonly ScenarioStep Busy, Receiver, Lowered, Backlog;
    private readonly Lazy<KernelRun> _run;

    public MsgScenario()
    {
        var s = new KernelScenario();
        Busy = s.Step("msg --key 0x40 --mode 0600 --count 3 --size 100");
        Receiver = s.Step($"msg-recv --id {Busy.Id} --count 1");
        Lowered = s.Step("msg --key 0x41 --mode 0640 --qbytes 8000");
        Backlog = s.Step("msg --key private --mode 0666 --count 5 --size 1000");
        _run = new(s.Run);
    }

    internal KernelRun Run => _run.Value;
}

[Trait("Category", "Kernel")]
public sealed class MsgKernelTests(MsgScenario scenario) : IClassFixture<MsgScenario>
{
    private KernelRun Run => scenario.Run;

    [KernelFact]
    public void EveryQueueMatchesIpcsDetails()
    {
        var diff = new FieldComparison();
        foreach (var msg in Run.Snapshot.GetProperty("msg").EnumerateArray())
        {
            var id = msg.GetProperty("id").GetInt32();
            var ipcs = Run.Details("-q", id);
            var what = $"msg {id}";
            foreach (var field in new[] { "uid", "gid", "cuid", "cgid", "cbytes", "qbytes", "qnum", "lspid", "lrpid" })
                diff.Number(what, ipcs[field], msg, field);
            diff.Text(what + " perms", ipcs["mode"], msg.GetProperty("perms").GetString()!);
            diff.Time(what, ipcs["send_time"], msg, "stime");
            diff.Time(what, ipcs["rcv_time"], msg, "rtime");
            diff.Time(what, ipcs["change_time"], msg, "ctime");
        }
        diff.AssertNone();
    }

    [KernelFact]
    public void EveryQueueRowMatchesTheIpcsTables()
    {
        var diff = new FieldComparison();
        var queues = IpcsOutput.Section(Run.Ipcs("-a"), "Message Queues");
        var pids = IpcsOutput.Section(Run.Ipcs("-p"), "Message Queues PIDs");
        var owners = IpcsOutput.Section(Run.Ipcs("-c"), "Message Queues Creators/Owners");
        var times = IpcsOutput.Section(Run.Ipcs("-t"), "Message Queues Send/Recv/Change Times");
        Assert.Equal(IpcsOutput.Table(queues).Count, Run.Snapshot.GetProperty("msg").GetArrayLength());
        foreach (var msg in Run.Snapshot.GetProperty("msg").EnumerateArray())
        {
            var id = msg.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
            var what = "msg " + id;
            var row = IpcsOutput.Row(queues, "msqid", id);
            var perms = IpcsOutput.Octal(msg.GetProperty("perms").GetString()!).ToString(CultureInfo.InvariantCulture);
            diff.Text(what + " key", row["key"], msg.GetProperty("key").GetString()!);
            diff.Text(what + " perms", IpcsOutput.Octal(row["perms"]).ToString(CultureInfo.InvariantCulture), perms);
            diff.Number(what, row["used-bytes"], msg, "cbytes");
            diff.Number(what, row["messages"], msg, "qnum");
            var pid = IpcsOutput.Row(pids, "msqid", id);
            diff.Number(what, pid["lspid"], msg, "lspid");
            diff.Number(what, pid["lrpid"], msg, "lrpid");
            diff.Text(what + " perms (-c)", IpcsOutput.Octal(IpcsOutput.Row(owners, "msqid", id)["perms"]).ToString(CultureInfo.InvariantCulture), perms);

            var (_, when) = IpcsOutput.TimeRow(times.Skip(1).Single(l => l.Split(' ', 2)[0] == id));
            diff.Text(what + " stime (-t)", when[0], IpcsOutput.ShortTime(FieldComparison.TimeOf(msg, "stime")));
            diff.Text(what + " rtime (-t)", when[1], IpcsOutput.ShortTime(FieldComparison.TimeOf(msg, "rtime")));
            diff.Text(what + " ctime (-t)", when[2], IpcsOutput.ShortTime(FieldComparison.TimeOf(msg, "ctime")));
        }
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
