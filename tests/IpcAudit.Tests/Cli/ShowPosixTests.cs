using System.Text.Json;
using IpcAudit.Collector.Model;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Cli;

/// <summary>
/// `show` on stored POSIX history (no kernel): the snapshot's /dev/shm files, semaphores and queues with their
/// holders named and their application, and `--object KIND:NAME` for one object with its history.
/// </summary>
public sealed class ShowPosixTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static readonly ProcessInfo Postgres = SyntheticSnapshots.Postgres(T0.AddDays(-2));

    /// <summary>postgres maps PostgreSQL.1234 at T0 and is gone an hour later; the queue fills; the semaphore is taken.</summary>
    private string History() => Stored(_dir.File("a.db"), Enumerable.Range(0, 3).Select(h =>
        WithPosix(Build(T0.AddHours(h), processes: h == 0 ? [Postgres] : []), new PosixIpc
        {
            Shm = [PosixFile("PostgreSQL.1234", mapped: h == 0 ? [812] : []), PosixFile("psm_x", 8192, uid: 1000, mapped: [])],
            Sem = [PosixFile("lock", 4096, uid: 0, mapped: [], semaphore: true, value: h == 2 ? 0 : 1)],
            Mq = [PosixQueue("jobs", messages: h)],
            DevshmBytes = 1L << 30, DevshmUsedBytes = 2L << 20, MqQueues = 1, MqQueuesMax = 256,
        })));

    [Fact]
    public void ShowListsThePosixObjectsWithTheirHoldersAndApplication()
    {
        var db = History();
        var text = CliRun.Of("show", "1", "--db", db);
        Assert.True(text.ExitCode == 0, text.Stderr);
        var lines = text.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("PostgreSQL.1234 ", StringComparison.Ordinal) && l.Contains("812(postgres)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lock ", StringComparison.Ordinal) && l.Contains(" 1 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("jobs ", StringComparison.Ordinal));
        Assert.Contains("posix_shm PostgreSQL.1234: application: postgres, the command of its mapper pid 812", lines);
        Assert.Contains(lines, l => l.StartsWith("mqueue queues_max 256", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(CliRun.Of("show", "3", "--db", db, "--json").Stdout);
        var root = json.RootElement;
        Assert.Equal(["PostgreSQL.1234", "psm_x"], root.GetProperty("posix_shm").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(0, root.GetProperty("posix_sem")[0].GetProperty("value").GetInt32());
        Assert.Equal(2, root.GetProperty("posix_mq")[0].GetProperty("messages").GetInt32());
        Assert.Equal(0, root.GetProperty("posix_shm")[0].GetProperty("mapped_pids").GetArrayLength());
        Assert.Equal(2L << 20, root.GetProperty("usage").GetProperty("devshm_used_bytes").GetInt64());
    }

    [Fact]
    public void ShowObjectGivesOnePosixObjectWithItsHistory()
    {
        var db = History();
        var first = CliRun.Of("show", "1", "--db", db, "--object", "posix_shm:PostgreSQL.1234");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("mapped by 812(postgres)", first.Stdout);
        Assert.Contains("application: postgres, the command of its mapper pid 812", first.Stdout);

        var last = CliRun.Of("show", "--db", db, "--object", "posix_shm:PostgreSQL.1234");
        Assert.Contains("mapped by -", last.Stdout);
        Assert.Contains("application: unknown", last.Stdout);
        // Two states: mapped by 812 for the first hour, then by nobody.
        var history = last.Stdout.Split("------ History")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries)[2..];
        Assert.Equal(2, history.Length);
        Assert.Contains(" 812", history[0]);
        Assert.Contains("current", history[1]);

        using var json = JsonDocument.Parse(CliRun.Of("show", "--db", db, "--object", "posix_mq:jobs", "--json").Stdout);
        var root = json.RootElement;
        Assert.Equal(("posix_mq", "jobs", "/dev/mqueue/jobs"), (root.GetProperty("kind").GetString(), root.GetProperty("name").GetString(), root.GetProperty("path").GetString()));
        Assert.Equal(2, root.GetProperty("object").GetProperty("messages").GetInt32());
        var states = root.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], states.Select(s => s.GetProperty("state").GetProperty("messages").GetInt32()));
        Assert.Equal(T0.AddHours(1), states[0].GetProperty("to").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, states[2].GetProperty("to").ValueKind);
        Assert.Equal(T0, root.GetProperty("first_seen").GetDateTimeOffset());
    }

    [Fact]
    public void AnUnknownObjectOrKindIsOneLineAndAnExitCode()
    {
        var db = History();
        var missing = CliRun.Of("show", "--db", db, "--object", "posix_shm:nope");
        Assert.Equal(3, missing.ExitCode);
        Assert.Equal("ipcaudit: snapshot 3 has no posix_shm named 'nope' (it has: PostgreSQL.1234, psm_x)", Assert.Single(missing.StderrLines));
        Assert.Empty(missing.Stdout);
        var kind = CliRun.Of("show", "--db", db, "--object", "shm:1");
        Assert.Equal(2, kind.ExitCode);
        Assert.Single(kind.StderrLines);
    }
}
