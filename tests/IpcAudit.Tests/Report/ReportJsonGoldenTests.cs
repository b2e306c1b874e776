using IpcAudit.Collector.Model;
using IpcAudit.Report.Output;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Report.HistoryFixture;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

/// <summary>
/// The whole JSON document of a fixed two-host history, compared byte for byte with
/// Golden/report.json. Regenerate with IPCAUDIT_UPDATE_GOLDEN=1 (see Golden/README.md), then
/// read the diff before committing it.
/// </summary>
public sealed class ReportJsonGoldenTests : IDisposable
{
    private readonly HistoryFixture _history = new();

    public void Dispose() => _history.Dispose();

    private static string GoldenPath => Path.Combine(TestPaths.RepoRoot, "tests", "IpcAudit.Tests", "Report", "Golden", "report.json");

    /// <summary>
    /// web1: hourly for 48 h: a leaked 64 MiB segment, one attached by a live process, one marked for
    /// destruction, a semaphore array with a waiter, a queue whose reader died at hour 5, and Apache leaking a
    /// private one-semaphore array every 6 hours (each left by a dead parent).
    /// app1: rebooted at hour 30; a leaked segment before the reboot (ended by it) and another after (18 h old).
    /// db1: SEMMNI 10 and one more 8-semaphore array every 6 hours (9 at the end); at hour 30 a user's segment
    /// vanishes while its creator lives on (RemoveIPC); at hour 20 a queue changes owner.
    /// </summary>
    private void SaveFixedHistory()
    {
        _history.SaveHourly(Hours(0, 48), h =>
        {
            var apacheLeaks = Enumerable.Range(0, (int)h / 6 + 1)
                .Select(i => Sem(10 + i, nsems: 1) with { Key = 0, Uid = 33, Semaphores = [new Semaphore(0, 1, 0, 0, 600 + i)] });
            return Build(H(h),
                shm:
                [
                    Shm(1, bytes: 64 << 20, cpid: 100),
                    Shm(2, bytes: 1 << 20, cpid: 100, nattch: 1, attached: [200]) with { Lpid = 200 },
                    Shm(3, bytes: 8 << 20, cpid: 100) with { Mode = 0x200 | 0x180, Key = 0 },
                ],
                sem: [Sem(1, nsems: 4) with { Semaphores = [new(0, 0, 2, 0, 200), new(1, 1, 0, 0, 200), new(2, 1, 0, 0, 200), new(3, 1, 0, 0, 200)] }, .. apacheLeaks],
                msg: [Msg(1, qnum: (ulong)Math.Max(0, h - 5)) with { Lrpid = 700, Rtime = H(4) }],
                processes: [Alive(200), .. h < 5 ? [Alive(700)] : Array.Empty<ProcessInfo>(), Alive(600 + (int)h / 6)]);
        });
        _history.SaveHourly(Hours(0, 48), h => h < 30
            ? Build(H(h), host: Host("app1"), shm: [Shm(0, bytes: 4 << 20, cpid: 300)])
            : Build(H(h), host: Host("app1", boot: "boot-b"), shm: [Shm(0, bytes: 2 << 20, cpid: 900), Shm(1, cpid: 901, nattch: 1, attached: [901])],
                processes: [Alive(901, started: H(29.5))]));
        var limits = Build(T0).Limits with { Semmni = 10, Shmmni = 100 };
        _history.SaveHourly(Hours(0, 48), h => Build(H(h), host: Host("db1"), limits: limits,
            shm: [Shm(5, bytes: 32 << 20, cpid: 800, nattch: 1, attached: [800]), .. h < 30 ? [Shm(6, cpid: 801) with { Uid = 1001 }] : Array.Empty<ShmSegment>()],
            sem: Enumerable.Range(0, 1 + (int)h / 6).Select(i => Sem(i, nsems: 8) with { Uid = 26, Semaphores = Enumerable.Range(0, 8).Select(n => new Semaphore(n, 1, 0, 0, 800)).ToArray() }).ToList(),
            msg: [Msg(9, qnum: 1) with { Uid = h < 20 ? 0u : 26u, Lrpid = 800, Rtime = H(h) }],
            processes: [Alive(800), Alive(801)]));
    }

    [Fact]
    public void ReportJsonMatchesTheGoldenFile()
    {
        SaveFixedHistory();
        var doc = _history.Report(-1, 49, TimeSpan.FromHours(12));
        using var writer = new StringWriter();
        ReportJson.Write(writer, doc);
        var actual = writer.ToString();

        if (Environment.GetEnvironmentVariable("IPCAUDIT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(GoldenPath, actual);
            return;
        }
        Assert.True(File.Exists(GoldenPath), $"{GoldenPath} missing: run the tests once with IPCAUDIT_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(GoldenPath), actual);
    }
}
