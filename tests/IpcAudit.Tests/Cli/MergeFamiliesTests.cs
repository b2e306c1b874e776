using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>`merge` copies schema 2's facts: start ticks, parents, and namespace generations.</summary>
public sealed class MergeFamiliesTests : IDisposable
{
    private const long Btime = 1795200000;   // 2026-11-20T18:40:00Z
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static List<string> Rows(string db, string sql) =>
        StoredRows.Of(db, sql).Select(r => string.Join('|', r.Select(v => v is null ? "null" : Convert.ToString(v)))).ToList();

    [Fact]
    public void MergeCopiesStartTicksParentsAndNamespaceGenerations()
    {
        var source = _dir.File("host.db");
        var proc = new FakeProc(_dir.File("proc"), Btime, FakeProc.OtherNamespace)
            .Process(400, "httpd", startTicks: 100_000, ppid: 1, ipcNamespace: FakeProc.OtherNamespace)
            .Process(500, "httpd", startTicks: 200_000, ppid: 400, uid: 33, ipcNamespace: FakeProc.OtherNamespace);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 500, 0, 33, 33, Btime + 3010, 0, Btime + 3000, qnum: 1));
        Assert.Equal(0, CliRun.Of("collect", "--db", source, "--proc-root", proc.Root, "--at", "2026-11-20T20:00:00Z").ExitCode);
        // The namespace ends and a new one reuses its inode: generation 1.
        proc.Remove(400);
        proc.Remove(500);
        proc.Process(950, "sh", startTicks: 490_000, uid: 1000, ipcNamespace: FakeProc.OtherNamespace);
        proc.Queues(FakeProc.MsgRow(1, 0x51, 950, 0, 1000, 1000, Btime + 4960, 0, Btime + 4950, qnum: 1));
        Assert.Equal(0, CliRun.Of("collect", "--db", source, "--proc-root", proc.Root, "--at", "2026-11-20T20:05:00Z").ExitCode);

        var fleet = _dir.File("fleet.db");
        Assert.Equal(0, CliRun.Of("merge", source, "--db", fleet).ExitCode);
        Assert.Equal(0, CliRun.Of("merge", source, "--db", fleet).ExitCode);   // twice: nothing new

        const string processes = """
            SELECT c.natural_key, p.pid, p.start_time, p.valid_from, p.valid_to, p.uid, p.start_ticks, p.ppid, p.parent_start_ticks
            FROM processes p JOIN contexts c USING (context_id) ORDER BY c.natural_key, p.pid
            """;
        const string contexts = "SELECT natural_key, ns_generation FROM contexts ORDER BY natural_key";
        var expected = Rows(source, processes);
        Assert.Contains(expected, r => r.EndsWith("|33|200000|400|100000"));   // the child names its parent
        Assert.Contains(expected, r => r.Contains("|g1|950|"));                 // a holder in generation 1
        Assert.Equal(expected, Rows(fleet, processes));
        Assert.Equal(2, Rows(fleet, contexts).Count);
        Assert.Equal(Rows(source, contexts), Rows(fleet, contexts));
    }
}
