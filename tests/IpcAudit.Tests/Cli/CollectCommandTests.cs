using System.Text.Json;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>`ipcaudit collect` against committed /proc fixture trees: what an administrator sees.</summary>
public sealed class CollectCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private string Db => _dir.File("ipcaudit.db");
    public void Dispose() => _dir.Dispose();

    private CliRun Collect(string tree, string at, params string[] extra) =>
        CliRun.Of(["collect", "--db", Db, "--proc-root", TestPaths.ProcFixture(tree), "--at", at, .. extra]);

    private int StoredSnapshots() => File.Exists(Db) ? SnapshotReader.Open(Db).List().Count : 0;

    [Fact]
    public void CollectFromFixtureTreePrintsTypedJson()
    {
        var run = Collect("modern", "2026-11-21T06:00:00Z", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal("ipc-fixture-01", root.GetProperty("host").GetString());
        Assert.Equal("2026-11-21T06:00:00.000Z", root.GetProperty("taken_at").GetString());
        Assert.Equal(4026531839UL, root.GetProperty("ipc_namespace").GetUInt64());
        Assert.Equal(18446744073692774399UL, root.GetProperty("limits").GetProperty("shmall").GetUInt64());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("limits").GetProperty("shmmni").ValueKind);

        var shm = root.GetProperty("shm").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetInt32());
        Assert.Equal("0xdeadbeef", shm[0].GetProperty("key").GetString());
        Assert.Equal("0640", shm[0].GetProperty("perms").GetString());
        Assert.Equal(1048576UL, shm[0].GetProperty("bytes").GetUInt64());
        Assert.Equal(["dest"], shm[2].GetProperty("status").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("0x00000000", shm[2].GetProperty("key").GetString());
        Assert.Equal(["locked"], shm[3].GetProperty("status").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([4100, 4102], shm[1].GetProperty("attached_pids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("2026-11-21T05:56:35.000Z", shm[0].GetProperty("ctime").GetString());
        Assert.Equal(JsonValueKind.Null, shm[3].GetProperty("atime").ValueKind);

        // A saved /proc has no live kernel behind it: these are unknown, not zero.
        Assert.All(root.GetProperty("sem").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("semaphores").ValueKind));
        Assert.All(root.GetProperty("msg").EnumerateArray(), q => Assert.Equal(JsonValueKind.Null, q.GetProperty("qbytes").ValueKind));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("usage").GetProperty("shm_segments").ValueKind);

        var procs = root.GetProperty("processes").EnumerateArray().ToDictionary(p => p.GetProperty("pid").GetInt32());
        Assert.True(procs[4100].GetProperty("alive").GetBoolean());
        Assert.False(procs[3900].GetProperty("alive").GetBoolean());   // gone
        Assert.Equal("my (odd) proc)", procs[4102].GetProperty("comm").GetString());

        Assert.Contains(run.StderrLines, l => l.Contains("step usage incomplete: unavailable"));
        Assert.Equal(1, StoredSnapshots());
    }

    [Fact]
    public void SavedTreesSysUidMaxComesFromTheLoginDefsSavedBesideIt()
    {
        // modern/etc/login.defs sets 499; old-kernel's has it commented out: unknown, never this machine's own value.
        Assert.Equal(0, Collect("modern", "2026-11-21T06:00:00Z").ExitCode);
        Assert.Equal(0, Collect("old-kernel", "2026-11-21T06:05:00Z", "--host", "old").ExitCode);

        using var connection = IpcAuditDatabase.OpenForRead(Db);
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT host, sys_uid_max FROM contexts ORDER BY host";
        using var r = query.ExecuteReader();
        var stored = new List<(string, long?)>();
        while (r.Read()) stored.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1)));
        Assert.Equal([("ipc-fixture-01", 499L), ("old", (long?)null)], stored);
    }

    [Fact]
    public void StoredFixtureSnapshotShowsLikeIpcs()
    {
        Assert.Equal(0, Collect("modern", "2026-11-21T06:00:00Z").ExitCode);
        var show = CliRun.Of("show", "--db", Db);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("------ Shared Memory Segments --------", show.Stdout);
        Assert.Contains("0xdeadbeef", show.Stdout);
        Assert.Contains("3900(dead)", show.Stdout);
        Assert.Contains("4100(shmdemo)", show.Stdout);
        var list = CliRun.Of("snapshots", "--db", Db);
        Assert.Contains("ipc-fixture-01", list.Stdout);
    }

    [Fact]
    public void MalformedProcFileNamesFileLineAndFieldAndWritesNothing()
    {
        Assert.Equal(0, Collect("modern", "2026-11-21T06:00:00Z").ExitCode);
        var before = File.ReadAllBytes(Db);
        var run = Collect("malformed", "2026-11-21T06:05:00Z");
        Assert.Equal(3, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.Contains("sysvipc/shm:3", line);
        Assert.Contains("'size'", line);
        Assert.Equal(1, StoredSnapshots());
    }

    [Fact]
    public void KernelWithoutSysvIpcRecordsAnEmptySnapshotWithAWarning()
    {
        var run = Collect("no-sysvipc", "2026-11-21T06:00:00Z", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l.Contains("warning: this kernel has no System V IPC"));
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(0, doc.RootElement.GetProperty("shm").GetArrayLength());
        var stored = SnapshotReader.Open(Db);
        var snap = stored.Load(stored.Latest()!.Value);
        Assert.Contains(snap.Notes, n => n.Contains("no System V IPC"));
    }

    [Fact]
    public void OldKernelWithoutRssColumnsCollects()
    {
        var run = Collect("old-kernel", "2026-11-21T06:00:00Z", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.All(doc.RootElement.GetProperty("shm").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("rss_bytes").ValueKind));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("limits").GetProperty("shm_rmid_forced").ValueKind);
    }

    [Fact]
    public void BadAtTimeGetsOneLineAndNoDatabase()
    {
        var run = Collect("modern", "yesterday");
        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains("--at", run.Stderr);
        Assert.False(File.Exists(Db));
    }

    [Fact]
    public void HostOverrideNamesTheHost()
    {
        Assert.Equal(0, Collect("modern", "2026-11-21T06:00:00Z", "--host", "db7").ExitCode);
        Assert.Contains("db7", CliRun.Of("snapshots", "--db", Db).Stdout);
    }

    [Fact]
    public void ReadingSomethingThatIsNotADatabaseIsOneLine()
    {
        File.WriteAllText(Db, "hello");
        foreach (var cmd in new[] { "show", "snapshots" })
        {
            var run = CliRun.Of(cmd, "--db", Db);
            Assert.Equal(4, run.ExitCode);
            Assert.Single(run.StderrLines);
            Assert.DoesNotContain(" at ", run.Stderr);
        }
        Assert.Equal("hello", File.ReadAllText(Db));
    }

    [Fact]
    public void ShowOfAnUnknownSnapshotIsOneLine()
    {
        Collect("modern", "2026-11-21T06:00:00Z");
        var run = CliRun.Of("show", "999", "--db", Db);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no snapshot matches '999'", run.Stderr);
    }
}
