using System.Globalization;
using System.Text.Json;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Report;

/// <summary>
/// Growth and pressure of the POSIX kinds on stored history (no kernel): the /dev/shm tmpfs and the
/// mqueue pool are trended and projected as the System V pools are, in every format, and growth per kind
/// and owner adds up across a reboot as it does for System V.
/// </summary>
public sealed class PosixGrowthTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private static Snapshot Levels(DateTimeOffset at, long devshmUsed, long queues) => WithPosix(Build(at), new PosixIpc
    {
        Shm = [PosixFile("psm_pool", devshmUsed, mapped: [])], DevshmBytes = 1024 * MiB, DevshmUsedBytes = devshmUsed,
        MqQueues = queues, MqQueuesMax = 256,
    });

    private ReportDocument Report(IEnumerable<Snapshot> snapshots)
    {
        var db = Stored(_dir.File("a.db"), snapshots);
        return ReportBuilder.Build(db, new ReportRequest(T0.AddDays(-1), T0.AddDays(2), [], TimeSpan.FromHours(1)));
    }

    [Fact]
    public void DevShmFillingLinearlyIsProjectedToFillWhenTheTrendReachesItsSizeInEveryFormat()
    {
        // Hourly for a day: 104 MiB + 10 MiB an hour of a 1 GiB tmpfs, so 344 MiB at the end and 680 MiB
        // left: full 68 hours later. Queues: 10 + 1 an hour of 256, 222 left: 222 hours later.
        var doc = Report(Enumerable.Range(0, 25).Select(h => Levels(T0.AddHours(h), (104 + 10 * h) * MiB, 10 + h)));
        var shm = Assert.Single(doc.Pressure, p => p.Limit == "DEVSHM");
        var full = T0.AddHours(24 + 68);
        Assert.Equal((344UL * MiB, "rising", (DateTimeOffset?)full), (shm.Used, shm.Trend, shm.ProjectedExhaustion));
        var mq = Assert.Single(doc.Pressure, p => p.Limit == "MQ_QUEUES");
        Assert.Equal((34UL, "rising", (DateTimeOffset?)T0.AddHours(24 + 222)), (mq.Used, mq.Trend, mq.ProjectedExhaustion));

        var json = Render(w => ReportJson.Write(w, doc));
        var row = JsonDocument.Parse(json).RootElement.GetProperty("pressure").EnumerateArray().Single(p => p.GetProperty("limit").GetString() == "DEVSHM");
        Assert.Equal(("rising", full), (row.GetProperty("trend").GetString(), row.GetProperty("projected_exhaustion").GetDateTimeOffset()));

        var csv = Render(w => ReportCsv.WriteSection(w, "pressure", doc, T0)).Split('\n');
        Assert.Contains(TypedJson.IsoTime(full), Assert.Single(csv, l => l.Contains(",DEVSHM,", StringComparison.Ordinal)));

        var table = Render(w => ReportTable.Write(w, doc, TimeZoneInfo.Utc)).Split('\n');
        Assert.EndsWith(Readable.Time(full, TimeZoneInfo.Utc), Assert.Single(table, l => l.Contains(" DEVSHM ", StringComparison.Ordinal)).TrimEnd());

        var html = Render(w => ReportHtml.Write(w, doc));
        var htmlRow = html.Split('\n').Single(l => l.StartsWith("<tr>", StringComparison.Ordinal) && l.Contains(">DEVSHM<", StringComparison.Ordinal));
        Assert.Contains(full.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), htmlRow);
    }

    [Fact]
    public void FlatDevShmProjectsNothingNullNotZero()
    {
        var doc = Report(Enumerable.Range(0, 25).Select(h => Levels(T0.AddHours(h), 900 * MiB, 12)));
        foreach (var limit in new[] { "DEVSHM", "MQ_QUEUES" })
        {
            var p = Assert.Single(doc.Pressure, p => p.Limit == limit);
            Assert.Equal(("flat", (DateTimeOffset?)null, (DateTimeOffset?)null), (p.Trend, p.ProjectedExhaustion, p.ExhaustedSince));
        }
        // At 87.9 % for 24 hours: above 80 %, never above 90 %.
        var shm = Assert.Single(doc.Pressure, p => p.Limit == "DEVSHM");
        Assert.Equal((24 * 3600L, 0L), (shm.SecondsAbove80, shm.SecondsAbove90));
        var row = JsonDocument.Parse(Render(w => ReportJson.Write(w, doc))).RootElement.GetProperty("pressure").EnumerateArray()
            .Single(p => p.GetProperty("limit").GetString() == "DEVSHM");
        Assert.Equal(JsonValueKind.Null, row.GetProperty("projected_exhaustion").ValueKind);
    }

    [Fact]
    public void DevShmAtItsSizeIsExhaustedSinceTheFirstFullSnapshot()
    {
        var doc = Report(Enumerable.Range(0, 6).Select(h => Levels(T0.AddHours(h), Math.Min(1024, 824 + 100 * h) * MiB, 1)));
        var shm = Assert.Single(doc.Pressure, p => p.Limit == "DEVSHM");
        Assert.Equal(((DateTimeOffset?)T0.AddHours(2), (DateTimeOffset?)null), (shm.ExhaustedSince, shm.ProjectedExhaustion));
    }

    /// <summary>
    /// Two boots. Boot a, hourly T0..T0+3h: PostgreSQL.1 (uid 116) throughout, PostgreSQL.2 (116) made at +2h,
    /// psm_a (uid 1000) gone at +2h, a semaphore and a queue (root) filling by a message an hour. Boot b, +4h
    /// and +5h: PostgreSQL.3 alone.
    /// </summary>
    [Fact]
    public void GrowthPerKindAndOwnerCountsCreatedAndRemovedAcrossAReboot()
    {
        var bootB = Host(boot: "boot-b");
        Snapshot A(int h, params PosixShmObject[] files) => WithPosix(Build(T0.AddHours(h)), new PosixIpc
        {
            Shm = files, Sem = [PosixFile("lock", 4096, uid: 0, mapped: [], semaphore: true, value: 1)],
            Mq = [PosixQueue("jobs", messages: h + 1)], DevshmBytes = 1024 * MiB, DevshmUsedBytes = 8 * MiB, MqQueues = 1, MqQueuesMax = 256,
        });
        Snapshot B(int h) => WithPosix(Build(T0.AddHours(h), host: bootB), new PosixIpc
        {
            Shm = [PosixFile("PostgreSQL.3", 1 * MiB, mapped: [])], DevshmBytes = 1024 * MiB, DevshmUsedBytes = 1 * MiB, MqQueues = 0, MqQueuesMax = 256,
        });
        var pg1 = PosixFile("PostgreSQL.1", 1 * MiB, mapped: []);
        var pg2 = PosixFile("PostgreSQL.2", 2 * MiB, mapped: []);
        var psm = PosixFile("psm_a", 4 * MiB, uid: 1000, mapped: []);
        var doc = Report([A(0, pg1, psm), A(1, pg1, psm), A(2, pg1, pg2), A(3, pg1, pg2), B(4), B(5)]);

        var rows = doc.Growth.Where(g => g.Kind.StartsWith("posix_", StringComparison.Ordinal))
            .ToDictionary(g => (g.Kind, g.Owner), g => (g.StartCount, g.EndCount, g.StartBytes, g.EndBytes, g.Created, g.Removed));
        Assert.Equal(4, rows.Count);
        // Created: PostgreSQL.2 and .3; removed: .1 and .2 by the reboot.
        Assert.Equal((1L, 1L, 1UL * MiB, 1UL * MiB, 2L, 2L), rows[("posix_shm", 116)]);
        Assert.Equal((1L, 0L, 4UL * MiB, 0UL, 0L, 1L), rows[("posix_shm", 1000)]);
        Assert.Equal((1L, 0L, 4096UL, 0UL, 0L, 1L), rows[("posix_sem", 0)]);
        // A queue is sized by the bytes queued: 64 a message.
        Assert.Equal((1L, 0L, 64UL, 0UL, 0L, 1L), rows[("posix_mq", 0)]);
        foreach (var g in doc.Growth) Assert.Equal(g.EndCount, g.StartCount + g.Created - g.Removed);

        // Boot a alone: the queue's bytes grow by 64 an hour (1,536 a day); psm_a's owner loses one file in the hour from +1h to +2h.
        var bootA = ReportBuilder.Build(_dir.File("a.db"), new ReportRequest(T0, T0.AddHours(3), [], TimeSpan.FromHours(1)));
        var queue = Assert.Single(bootA.Growth, g => g.Kind == "posix_mq");
        Assert.Equal((64UL, 256UL, 1536.0), (queue.StartBytes, queue.EndBytes, Math.Round(queue.BytesSlopePerDay, 6)));
        var psmRow = Assert.Single(bootA.Growth, g => g.Kind == "posix_shm" && g.Owner == 1000);
        Assert.Equal((1L, 0L, 0L, 1L), (psmRow.StartCount, psmRow.EndCount, psmRow.Created, psmRow.Removed));
    }

    /// <summary>
    /// uid 1000's file and queue vanish together while pid 900 holds them (RemoveIPC's signature); uid 1001's
    /// file vanishes under its live holder but uid 1001 keeps another (its own unlink, not logind); a system
    /// uid's file goes with no holder; one file is made.
    /// </summary>
    [Fact]
    public void ChurnHasThePosixKindsAndCountsOnlyLogindStyleRemovalsAsVanishedWhileUsed()
    {
        ProcessInfo User(int pid, uint uid) => new() { Pid = pid, Alive = true, Comm = "app", Uid = uid, StartTime = T0.AddDays(-1), StartTicks = (ulong)(500 + pid), Ppid = 1 };
        Snapshot At(int h)
        {
            var before = h < 2;
            var files = new List<PosixShmObject> { PosixFile("psm_keep", 4096, uid: 1001, mapped: []) };
            if (before) files.AddRange([PosixFile("psm_user", uid: 1000, mapped: [900]), PosixFile("psm_self", uid: 1001, mapped: [901]), PosixFile("PostgreSQL.1", mapped: [])]);
            if (h >= 1) files.Add(PosixFile("psm_new", uid: 0, mapped: []));
            return WithPosix(Build(T0.AddHours(h), processes: [User(900, 1000), User(901, 1001)]), new PosixIpc
            {
                Shm = files, Mq = before ? [PosixQueue("uq", uid: 1000, open: [900])] : [],
                DevshmBytes = 1024 * MiB, DevshmUsedBytes = 4 * MiB, MqQueues = before ? 1 : 0, MqQueuesMax = 256,
            });
        }
        var doc = Report(Enumerable.Range(0, 4).Select(At));
        var churn = doc.Churn.Where(c => c.Kind.StartsWith("posix_", StringComparison.Ordinal)).ToDictionary(c => c.Kind, c => (c.Created, c.Removed, c.VanishedWhileUsed, c.Reaped));
        Assert.Equal((1L, 3L, 1L, 0L), churn["posix_shm"]);
        Assert.Equal((0L, 0L, 0L, 0L), churn["posix_sem"]);
        Assert.Equal((0L, 1L, 1L, 0L), churn["posix_mq"]);
        var json = JsonDocument.Parse(Render(w => ReportJson.Write(w, doc))).RootElement.GetProperty("churn").EnumerateArray()
            .Single(c => c.GetProperty("kind").GetString() == "posix_mq");
        Assert.Equal(1, json.GetProperty("vanished_while_used").GetInt32());
    }

    private static string Render(Action<TextWriter> write)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        write(w);
        return w.ToString();
    }
}
