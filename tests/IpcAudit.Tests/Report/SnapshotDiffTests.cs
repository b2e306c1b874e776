using System.Text.Json;
using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

public sealed class SnapshotDiffTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    private void SaveTwo()
    {
        var a = Build(H(0),
            shm: [Shm(1, nattch: 1, attached: [501]), Shm(2)],
            sem: [Sem(1, nsems: 2)],
            msg: [Msg(1)],
            processes: [Alive(501)]);
        var b = Build(H(1),
            shm: [Shm(1) with { Lpid = 501, Dtime = H(0.5) }, Shm(3)],
            sem: [Sem(1, nsems: 2) with { Semaphores = [new Semaphore(0, 7, 0, 0, 200), new Semaphore(1, 1, 0, 0, 200)] }],
            msg: [Msg(1)],
            limits: Build(T0).Limits with { Shmmni = 10 });
        _history.Save(a, b);
    }

    private SnapshotDiffResult Diff(long from, long to)
    {
        using var reader = SnapshotReader.Open(_history.Db);
        return SnapshotDiff.Compare(from, reader.Load(from), to, reader.Load(to));
    }

    [Fact]
    public void DiffListsAddedRemovedAndChangedObjectsFieldByField()
    {
        SaveTwo();
        var d = Diff(1, 2);

        Assert.True(d.SameContext);
        Assert.Equal([("shm", 3)], d.Added.Select(o => (o.Kind, o.Id)));
        Assert.Equal([("shm", 2)], d.Removed.Select(o => (o.Kind, o.Id)));
        Assert.Equal([("shm", 1), ("sem", 1)], d.Changed.Select(c => (c.Object.Kind, c.Object.Id)));
        var shm = d.Changed[0].Changes.ToDictionary(c => c.Field);
        Assert.Equal(["nattch", "lpid", "dtime", "attached_pids"], shm.Keys.Where(k => k != "atime"));
        Assert.Equal((1L, 0L), ((long)shm["nattch"].Old!, (long)shm["nattch"].New!));
        Assert.Equal(("501", ""), (shm["attached_pids"].Old, shm["attached_pids"].New));
        Assert.Null(shm["dtime"].Old);
        var sem = Assert.Single(d.Changed[1].Changes);
        Assert.Equal(("sem[0].value", 1, 7), (sem.Field, (int)sem.Old!, (int)sem.New!));
        Assert.Equal(("shmmni", 4096UL, 10UL), d.Limits.Select(l => (l.Field, (ulong)l.Old!, (ulong)l.New!)).Single());
    }

    [Fact]
    public void ReusedIdWithAnotherCreatorIsARemovalAndAnAddition()
    {
        _history.Save(Build(H(0), shm: [Shm(1, cpid: 100)]), Build(H(1), shm: [Shm(1, cpid: 222)]));
        var d = Diff(1, 2);

        Assert.Equal((1, 1, 0), (d.Added.Count, d.Removed.Count, d.Changed.Count));
    }

    [Fact]
    public void SnapshotsOfDifferentBootsShareNoObjects()
    {
        _history.Save(Build(H(0), shm: [Shm(1)]), Build(H(1), shm: [Shm(1)], host: Host(boot: "boot-b")));
        var d = Diff(1, 2);

        Assert.False(d.SameContext);
        Assert.Equal((1, 1, 0), (d.Added.Count, d.Removed.Count, d.Changed.Count));
    }

    [Fact]
    public void DiffCommandTakesTimesAndPrintsOneLinePerObject()
    {
        SaveTwo();
        var run = CliRun.Of(["diff", "2026-11-01T00:30:00Z", "2026-11-01T01:00:00Z", "--db", _history.Db], TimeZoneInfo.Utc);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("snapshot 1 (2026-11-01 00:00:00 UTC, web1) → snapshot 2 (2026-11-01 01:00:00 UTC, web1)", lines[0]);
        Assert.Contains("+ shm 3 key 0x00001003 owner 1000 (65536 bytes)", lines);
        Assert.Contains("- shm 2 key 0x00001002 owner 1000 (65536 bytes)", lines);
        Assert.Contains(lines, l => l.StartsWith("~ shm 1 ") && l.Contains("nattch 1 → 0") && l.Contains("attached_pids 501 → \"\""));
        Assert.Contains(lines, l => l.StartsWith("~ sem 1 ") && l.Contains("sem[0].value 1 → 7"));
        Assert.Contains("~ limits: shmmni 4096 → 10", lines);
        Assert.Equal("1 added, 1 removed, 2 changed", lines[^1]);
    }

    [Fact]
    public void DiffJsonIsTyped()
    {
        SaveTwo();
        var run = CliRun.Of("diff", "1", "2", "--db", _history.Db, "--json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("from").GetProperty("snapshot").GetInt64());
        var nattch = root.GetProperty("changed")[0].GetProperty("changes").EnumerateArray().First(c => c.GetProperty("field").GetString() == "nattch");
        Assert.Equal((1, 0), (nattch.GetProperty("old").GetInt32(), nattch.GetProperty("new").GetInt32()));
        Assert.Equal(3, root.GetProperty("added")[0].GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("changed")[0].GetProperty("changes").EnumerateArray()
            .First(c => c.GetProperty("field").GetString() == "dtime").GetProperty("old").ValueKind);
    }

    [Fact]
    public void UnknownSnapshotExitsThree()
    {
        SaveTwo();
        var run = CliRun.Of("diff", "1", "99", "--db", _history.Db);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("no snapshot matches '99'", Assert.Single(run.StderrLines));
    }
}
