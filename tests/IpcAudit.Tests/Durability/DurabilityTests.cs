using IpcAudit.Collector.Storage;
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
