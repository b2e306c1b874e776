using IpcAudit.Store;
using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace IpcAudit.Tests.Durability;

/// <summary>
/// Faults a collector meets on a real server: the disk fills, cron's collector is killed. Each
/// leaves the database whole: the previous snapshots intact, and a snapshot stored entirely or not at all.
/// </summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [KernelFact]
    public void DiskFullFailsWithOneLineAndKeepsEarlierSnapshots()
    {
        var small = ProcTreeBuilder.Create(_dir.File("small"), perKind: 5);
        var big = ProcTreeBuilder.Create(_dir.File("big"), perKind: 3000);
        var mnt = Directory.CreateDirectory(_dir.File("mnt")).FullName;
        var outcome = _dir.File("outcome");
        // A private mount namespace: the 512 KiB tmpfs exists only for this script.
        var run = BoundedProcess.Bash($"""
            mount -t tmpfs -o size=512k tmpfs '{mnt}'
            "$DOTNET" exec "$CLI" collect --db '{mnt}/a.db' --proc-root '{small}' --at 2026-11-21T00:00:00Z
            head -c $(( $(df --output=avail -B1 '{mnt}' | tail -1) - 8192 )) /dev/zero > '{mnt}/filler' || true
            set +e
            "$DOTNET" exec "$CLI" collect --db '{mnt}/a.db' --proc-root '{big}' --at 2026-11-21T00:05:00Z 2> '{outcome}.err'
            echo $? > '{outcome}.rc'
            set -e
            rm '{mnt}/filler'
            TZ=UTC "$DOTNET" exec "$CLI" snapshots --db '{mnt}/a.db' > '{outcome}.list'
            sqlite3 '{mnt}/a.db' 'PRAGMA integrity_check;' > '{outcome}.check'
            """, TimeSpan.FromSeconds(120), wrapper: ["unshare", "--mount"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var err = File.ReadAllText(outcome + ".err");
        output.WriteLine(err);
        Assert.Equal("1", File.ReadAllText(outcome + ".rc").Trim());
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("disk full", err);
        Assert.Equal("ok", File.ReadAllText(outcome + ".check").Trim());
        var list = File.ReadAllLines(outcome + ".list");
        Assert.Equal(2, list.Length); // header + the first snapshot
        Assert.Contains("2026-11-21 00:00:00 UTC", list[1]); // `snapshots` shows times in the local zone
    }

    [KernelFact]
    public void DiskFullOnTheFirstCollectSaysSoAndTheNextCollectSucceeds()
    {
        var big = ProcTreeBuilder.Create(_dir.File("big"), perKind: 3000);
        var mnt = Directory.CreateDirectory(_dir.File("mnt")).FullName;
        var outcome = _dir.File("outcome");
        var run = BoundedProcess.Bash($"""
            mount -t tmpfs -o size=256k tmpfs '{mnt}'
            set +e
            "$DOTNET" exec "$CLI" collect --db '{mnt}/new.db' --proc-root '{big}' --at 2026-11-21T00:00:00Z 2> '{outcome}.err'
            echo $? > '{outcome}.rc'
            "$DOTNET" exec "$CLI" report --db '{mnt}/new.db' --since 2026-11-20T00:00:00Z --until 2026-11-22T00:00:00Z 2> '{outcome}.report.err' > /dev/null
            echo $? > '{outcome}.report.rc'
            set -e
            mount -o remount,size=64m '{mnt}'
            "$DOTNET" exec "$CLI" collect --db '{mnt}/new.db' --proc-root '{big}' --at 2026-11-21T00:05:00Z 2> '{outcome}.next.err'
            TZ=UTC "$DOTNET" exec "$CLI" snapshots --db '{mnt}/new.db' > '{outcome}.list'
            sqlite3 '{mnt}/new.db' 'PRAGMA integrity_check;' > '{outcome}.check'
            """, TimeSpan.FromSeconds(120), wrapper: ["unshare", "--mount"]);
        Assert.True(run.ExitCode == 0, run.Stderr + File.ReadAllText(outcome + ".err") + (File.Exists(outcome + ".next.err") ? File.ReadAllText(outcome + ".next.err") : ""));
        var err = File.ReadAllText(outcome + ".err");
        output.WriteLine(err);
        Assert.Equal("1", File.ReadAllText(outcome + ".rc").Trim());
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("disk full", err);
        Assert.DoesNotContain("cannot rollback", err);
        // report reads: whatever it says, it does not claim a snapshot was (not) written.
        var reportErr = File.ReadAllText(outcome + ".report.err");
        output.WriteLine(reportErr);
        Assert.DoesNotContain("snapshot was not written", reportErr);
        // A saved /proc has no live syscalls: warnings say so; nothing else is on stderr.
        Assert.All(File.ReadAllLines(outcome + ".next.err"), l => Assert.StartsWith("ipcaudit: warning: ", l));
        Assert.Equal("ok", File.ReadAllText(outcome + ".check").Trim());
        var list = File.ReadAllLines(outcome + ".list");
        Assert.Equal(2, list.Length);
        Assert.Contains("2026-11-21 00:05:00 UTC", list[1]);
    }

    [Fact]
    public void TwentyCollectorsStartedAtOnceOnANewPathAllStoreTheirSnapshot()
    {
        var tree = ProcTreeBuilder.Create(_dir.File("tree"), perKind: 20);
        var db = _dir.File("state/new.db"); // neither the folder nor the file exists yet
        var outcome = _dir.File("outcome");
        var run = BoundedProcess.Bash($"""
            for i in $(seq 1 20); do
              ( "$DOTNET" exec "$CLI" collect --db '{db}' --proc-root '{tree}' 2> '{outcome}.'$i.err; echo $? > '{outcome}.'$i.rc ) &
            done
            wait
            """, TimeSpan.FromSeconds(240));
        Assert.True(run.ExitCode == 0, run.Stderr);
        for (var i = 1; i <= 20; i++)
        {
            var err = File.ReadAllText($"{outcome}.{i}.err");
            Assert.True(File.ReadAllText($"{outcome}.{i}.rc").Trim() == "0", $"collector {i}: {err}");
            Assert.DoesNotContain("IpcAudit database", err);
        }
        using var reader = SnapshotReader.Open(db);
        var listed = reader.List(null);
        Assert.Equal(20, listed.Count);
        Assert.All(listed, s => Assert.Equal(20, s.ShmCount));
    }

    [Fact]
    public void KilledCollectorLeavesWholeSnapshotsOnly()
    {
        var tree = ProcTreeBuilder.Create(_dir.File("tree"), perKind: 3000);
        var db = _dir.File("a.db");
        var rng = new Random(7);
        var killed = 0;
        for (var i = 0; i < 8; i++)
        {
            var at = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero).AddMinutes(5 * i).ToString("yyyy-MM-ddTHH:mm:ssZ");
            var start = new System.Diagnostics.ProcessStartInfo(BoundedProcess.Dotnet)
            {
                ArgumentList = { "exec", BoundedProcess.CliDll, "collect", "--db", db, "--proc-root", tree, "--at", at },
                RedirectStandardError = true, RedirectStandardOutput = true,
            };
            using var p = System.Diagnostics.Process.Start(start)!;
            Thread.Sleep(rng.Next(80, 900));
            if (!p.HasExited) { p.Kill(); killed++; }
            p.WaitForExit(30_000);
        }
        output.WriteLine($"{killed} of 8 collectors killed mid-run");
        Assert.True(File.Exists(db));
        using var reader = SnapshotReader.Open(db);
        using (var check = reader.Connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        foreach (var s in reader.List())
        {
            var snap = reader.Load(s.SnapshotId);
            Assert.Equal(3000, snap.Shm.Count);
            Assert.Equal(3000, snap.Sem.Count);
            Assert.Equal(3000, snap.Msg.Count);
        }
    }
}
