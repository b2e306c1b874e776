using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>Ids are reused at once: what the writer takes for a new object under an old id.</summary>
public sealed class ObjectIdentityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static long Objects(SnapshotStore store, string kind) =>
        IpcAuditDatabase.Scalar(store.Connection, $"SELECT count(*) FROM objects WHERE kind = '{kind}'");

    [Fact]
    public void ArrayWhoseKeyChangedIsANewObject()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("o.db"));
        store.Save(() => Build(T0, sem: [Sem(1)]));
        store.Save(() => Build(T0.AddMinutes(5), sem: [Sem(1) with { Key = 0x9999 }]));

        Assert.Equal(2, Objects(store, "sem"));
        Assert.Equal(UnixTime.Ms(T0.AddMinutes(5)), IpcAuditDatabase.Scalar(store.Connection,
            "SELECT removed_at FROM objects WHERE kind = 'sem' AND key = " + Sem(1).Key));
    }

    [Fact]
    public void QueueWhoseCtimeJumpedWhileItsOperationTimesWentBackToNoneIsANewObject()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("o.db"));
        var used = Msg(1) with { Stime = T0.AddHours(-1), Rtime = T0.AddMinutes(-30) };
        store.Save(() => Build(T0, msg: [used]));
        store.Save(() => Build(T0.AddMinutes(5), msg: [used with { Ctime = T0.AddMinutes(2), Stime = null, Rtime = null }]));

        Assert.Equal(2, Objects(store, "msg"));
    }

    [Fact]
    public void ArrayWhoseCtimeJumpedWhileItsSemopTimeWentBackToNoneIsANewObject()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("o.db"));
        store.Save(() => Build(T0, sem: [Sem(1)]));
        store.Save(() => Build(T0.AddMinutes(5), sem: [Sem(1) with { Ctime = T0.AddMinutes(2), Otime = null }]));

        Assert.Equal(2, Objects(store, "sem"));
    }

    [Fact]
    public void PermissionChangeMovesCtimeButKeepsTheObject()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("o.db"));
        var used = Msg(1) with { Stime = T0.AddHours(-1) };
        store.Save(() => Build(T0, msg: [used], sem: [Sem(1)]));
        // IPC_SET (chmod) moves ctime; the operation times stay.
        store.Save(() => Build(T0.AddMinutes(5), msg: [used with { Ctime = T0.AddMinutes(2), Mode = 0x180 }],
            sem: [Sem(1) with { Ctime = T0.AddMinutes(2), Mode = 0x1A4 }]));

        Assert.Equal(1, Objects(store, "msg"));
        Assert.Equal(1, Objects(store, "sem"));
    }

    [Fact]
    public void SegmentMarkedForRemovalKeepsItsIdentityThoughItsKeyBecomesZero()
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("o.db"));
        store.Save(() => Build(T0, shm: [Shm(1, nattch: 1)]));
        store.Save(() => Build(T0.AddMinutes(5), shm: [Shm(1, nattch: 1) with { Key = 0, Mode = 0x1B6 | 0x200 }]));

        Assert.Equal(1, Objects(store, "shm"));
    }
}
