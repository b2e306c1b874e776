using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class SysvSemAndMsgFileTests
{
    private static readonly ProcRoot Modern = new(TestPaths.ProcFixture("modern"));

    [Fact]
    public void SemArraysParseWithoutValues()
    {
        var arrays = SysvSemFile.Read(Modern)!;
        Assert.Equal(2, arrays.Count);
        var a = arrays[1];
        Assert.Equal(1, a.Id);
        Assert.Equal(0xdeadbeefu, a.Key);
        Assert.Equal(0x1B0, a.Mode); // 0660
        Assert.Equal(3, a.Nsems);
        Assert.Equal((1000u, 1000u, 1000u, 1000u), (a.Uid, a.Gid, a.Cuid, a.Cgid));
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T05:56:35Z"), a.Otime);
        Assert.Null(a.Semaphores);
        Assert.Null(arrays[0].Otime);
        Assert.Equal(0u, arrays[0].Key);
    }

    [Fact]
    public void MsgQueuesParseWithoutCapacity()
    {
        var queues = SysvMsgFile.Read(Modern)!;
        Assert.Equal(2, queues.Count);
        var q = queues[0];
        Assert.Equal(0, q.Id);
        Assert.Equal(0x51u, q.Key);
        Assert.Equal(0x190, q.Mode); // 0620
        Assert.Equal(120ul, q.Cbytes);
        Assert.Equal(2ul, q.Qnum);
        Assert.Equal(4100, q.Lspid);
        Assert.Equal(0, q.Lrpid);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T05:56:35Z"), q.Stime);
        Assert.Null(q.Rtime);
        Assert.Null(q.Qbytes);
    }

    [Fact]
    public void HeaderOnlyMsgFileIsEmpty()
    {
        Assert.Empty(SysvMsgFile.Read(new ProcRoot(TestPaths.ProcFixture("old-kernel")))!);
    }

    [Fact]
    public void MalformedSemRowNamesTheColumn()
    {
        var text = "key semid perms nsems uid gid cuid cgid otime ctime\n0 0 600 one 0 0 0 0 0 0\n";
        var e = Assert.Throws<ProcFormatException>(() => SysvSemFile.Parse(text, "sysvipc/sem"));
        Assert.Equal("sysvipc/sem:2: field 'nsems': not a number: 'one'", e.Message);
    }

    [Fact]
    public void MsgHeaderWithoutQnumIsRejected()
    {
        var text = "key msqid perms cbytes lspid lrpid uid gid cuid cgid stime rtime ctime\n";
        var e = Assert.Throws<ProcFormatException>(() => SysvMsgFile.Parse(text, "sysvipc/msg"));
        Assert.Equal((1, "qnum"), (e.Line, e.Field));
    }
}
