using IpcAudit.Report.Model;

namespace IpcAudit.Tests.Report.Render;

/// <summary>
/// Report documents built in code, so the renderers are tested without a database or a kernel:
/// a week of history on two hosts, and one where every string from the system is hostile.
/// </summary>
public static class ReportFixtures
{
    public static readonly DateTimeOffset Since = new(2026, 11, 14, 7, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Until = Since.AddDays(7);
    /// <summary>When the sample report was made (the CSV comment line).</summary>
    public static readonly DateTimeOffset GeneratedAt = Until.AddMinutes(3);
    public const string Web = "web1.example", Db = "db2.example";
    public const int Points = 49; // every 3.5 h over 7 days, both ends included

    public const string Script = "<script>alert(1)</script>";
    public const string Escape = "\u001b[31m";

    /// <summary>What a hostile process or host name puts in front of a reviewer.</summary>
    public const string HostileHost = "=evil" + Escape + " " + Script + " \"q\" 'a'\nnext";

    public static ReportDocument Sample() => new()
    {
        Window = new ReportWindow(Since, Until, Snapshots: 2 * Points, Hosts: [Db, Web]),
        Orphans =
        [
            Orphan(Web, IpcKind.Shm, 32769, "0x00000000", owner: 33, bytes: 256UL << 20, orphanedSince: At(2026, 11, 16, 4, 0),
                firstSeen: At(2026, 11, 15, 21, 0), pid: 4711, alive: false,
                reason: "no attachments; creator 4711 and last user 4711 dead", command: "/usr/sbin/apache2 -k start"),
            // Apache's classic leak: each unclean restart leaves a semaphore array owned by www-data behind.
            Orphan(Web, IpcKind.Sem, 98304, "0x00000000", owner: 33, bytes: 0, orphanedSince: At(2026, 11, 14, 10, 30),
                firstSeen: At(2026, 11, 14, 7, 0), pid: 2301, alive: false,
                reason: "nobody alive touched it since 2301 died; no waiters", command: "/usr/sbin/apache2 -k graceful"),
            Orphan(Web, IpcKind.Sem, 98305, "0x00000000", owner: 33, bytes: 0, orphanedSince: At(2026, 11, 16, 0, 30),
                firstSeen: At(2026, 11, 15, 18, 0), pid: 5120, alive: false,
                reason: "nobody alive touched it since 5120 died; no waiters", command: "/usr/sbin/apache2 -k graceful"),
            Orphan(Web, IpcKind.Sem, 98306, "0x00000000", owner: 33, bytes: 0, orphanedSince: At(2026, 11, 18, 14, 30),
                firstSeen: At(2026, 11, 18, 11, 0), pid: 7433, alive: false,
                reason: "nobody alive touched it since 7433 died; no waiters", command: "/usr/sbin/apache2 -k graceful"),
            Orphan(Db, IpcKind.Msg, 5, "0x0001e240", owner: 0, bytes: 8192, orphanedSince: At(2026, 11, 17, 11, 0),
                firstSeen: At(2026, 11, 14, 7, 0), pid: 2210, alive: false,
                reason: "16 messages queued since 2026-11-17T11:00:00.000Z; last sender 2210 dead, no live reader", command: "/opt/billing/bin/queue-feeder --batch"),
            // A process named to attack whoever reads the report: HTML, quotes, a formula, an escape sequence, a newline.
            Orphan(Web, IpcKind.Shm, 65538, "0x2a2a2a2a", owner: 1000, bytes: 1UL << 20, orphanedSince: At(2026, 11, 20, 0, 0),
                firstSeen: At(2026, 11, 19, 23, 0), pid: 31337, alive: false,
                reason: "=1+2 " + Script + " \"quoted\" 'single'",
                command: "+cmd " + Script + "\n" + Escape + "red\u001b[0m \"q\" 'a'"),
        ],
        Idle =
        [
            // A running Apache's SSL session cache lock: children recycled after each request, the master lives on.
            Idle(Web, IpcKind.Sem, 98307, "0x00000000", owner: 33, bytes: 0, unusedSince: At(2026, 11, 15, 9, 0),
                missing: "pid 812 (/usr/sbin/apache2 -k start) of uid 0 is alive and started (2026-11-14T06:00:00Z) before it was created (2026-11-14T06:00:01Z): it may hold it",
                evidence: "last semop pid 9120 (operation 2026-11-15T08:59:58Z) was never seen alive: it exited between two snapshots"),
        ],
        Growth =
        [
            Growth(Web, IpcKind.Shm, 33, 12, 30, 1UL << 30, 2176UL << 20, 2.5714285714285716, 172593737.14285713, 25, 7),
            Growth(Web, IpcKind.Sem, 33, 38, 41, 38, 41, 0.42857142857142855, 0.42857142857142855, 14, 11), // Apache: one semaphore per array
            Growth(Web, IpcKind.Msg, 0, 5, 3, 4096, 12288, -0.2857142857142857, 1170.2857142857142, 2, 4),
            Growth(Db, IpcKind.Shm, 26, 8, 8, 8606711808, 8606711808, 0, 0, 0, 0),
            Growth(Db, IpcKind.Sem, 26, 100, 119, 1700, 2023, 2.7142857142857144, 46.142857142857146, 40, 21), // PostgreSQL: 17 per array
            Growth(Db, IpcKind.Msg, 0, 2, 2, 0, 8192, 0, 1755.4285714285713, 1, 1),
        ],
        Pressure =
        [
            // A modern kernel: SHMALL and SHMMAX default to nearly 2^64, so their share is a rounding error.
            Pressure(Web, LimitNames.Shmmni, 30, 4096, 30),
            Pressure(Web, LimitNames.Shmall, 557056, 18446744073692774399, 557056),
            Pressure(Web, LimitNames.Shmmax, 268435456, 18446744073692774399, 268435456),
            Pressure(Web, LimitNames.Semmni, 41, 32000, 43),
            Pressure(Web, LimitNames.Semmns, 164, 1024000000, 172),
            Pressure(Web, LimitNames.Semmsl, 4, 32000, 4),
            Pressure(Web, LimitNames.Msgmni, 3, 32000, 6),
            Pressure(Web, LimitNames.Msgmnb, 12288, 16384, 14336, peakAt: At(2026, 11, 18, 2, 30), above80: 25200, trend: TrendNames.Falling)
                with { QueueBytes = 12288, QueueMessages = 12 },
            // An old-defaults host: SEMMNI 128 is the limit that will bite.
            Pressure(Db, LimitNames.Shmmni, 8, 4096, 8),
            Pressure(Db, LimitNames.Shmall, 2101248, 4194304, 2101248),
            Pressure(Db, LimitNames.Shmmax, 2147483648, 4294967296, 2147483648),
            Pressure(Db, LimitNames.Semmni, 119, 128, 122, peakAt: At(2026, 11, 20, 14, 0), above80: 259200, above90: 108000,
                exhaustion: At(2026, 11, 23, 5, 30), trend: TrendNames.Rising),
            Pressure(Db, LimitNames.Semmns, 1904, 32000, 1952, exhaustion: At(2027, 4, 2, 9, 0), trend: TrendNames.Rising),
            Pressure(Db, LimitNames.Semmsl, 16, 250, 16),
            Pressure(Db, LimitNames.Msgmni, 2, 32000, 2),
            Pressure(Db, LimitNames.Msgmnb, 8192, null, 8192) with { QueueBytes = 8192, QueueMessages = 2 },
        ],
        Churn =
        [
            // web1's login.defs was collected; db2's was not, so 999 is assumed there.
            new() { Host = Web, Kind = IpcKind.Shm, Created = 25, Removed = 7, VanishedWhileUsed = 0, SysUidMax = 999, SysUidMaxAssumed = false },
            new() { Host = Web, Kind = IpcKind.Sem, Created = 14, Removed = 11, VanishedWhileUsed = 0, SysUidMax = 999, SysUidMaxAssumed = false },
            new() { Host = Web, Kind = IpcKind.Msg, Created = 2, Removed = 4, VanishedWhileUsed = 0, SysUidMax = 999, SysUidMaxAssumed = false },
            new() { Host = Db, Kind = IpcKind.Shm, Created = 0, Removed = 0, VanishedWhileUsed = 0 },
            new() { Host = Db, Kind = IpcKind.Sem, Created = 40, Removed = 21, VanishedWhileUsed = 3 },
            new() { Host = Db, Kind = IpcKind.Msg, Created = 1, Removed = 1, VanishedWhileUsed = 0 },
        ],
        Series = [DbSeries(), WebSeries()],
    };

    /// <summary>Every string from the system hostile, in every section, including the host name itself.</summary>
    public static ReportDocument Hostile() => new()
    {
        Window = new ReportWindow(Since, Until, Snapshots: 2, Hosts: [HostileHost]),
        Orphans =
        [
            Orphan(HostileHost, IpcKind.Shm, 1, "=0x1" + Escape, 1000, 4096, At(2026, 11, 15, 0, 0), At(2026, 11, 15, 0, 0), 9, false,
                reason: "=1+2", command: Script + "\n" + Escape + "x"),
            Orphan(HostileHost, IpcKind.Shm, 2, "0x00000002", 1000, 4096, At(2026, 11, 15, 0, 0), At(2026, 11, 15, 0, 0), 9, false,
                reason: "+1+2 " + Script, command: "\"double\" 'single' & <b>bold</b>"),
            Orphan(HostileHost, IpcKind.Sem, 3, "0x00000003", 1000, 0, At(2026, 11, 15, 0, 0), At(2026, 11, 15, 0, 0), 9, null,
                reason: "-1+2\nsecond line", command: null),
            Orphan(HostileHost, IpcKind.Msg, 4, "0x00000004", 1000, 10, At(2026, 11, 15, 0, 0), At(2026, 11, 15, 0, 0), null, null,
                reason: "@SUM(1,1)" + Escape, command: "@cmd"),
        ],
        Idle = [Idle(HostileHost, IpcKind.Sem, 5, "0x00000005", 1000, 0, At(2026, 11, 15, 0, 0), missing: "=1+2 " + Script, evidence: "@x\n" + Escape)],
        Growth = [Growth(HostileHost, IpcKind.Shm, 1000, 1, 2, 4096, 8192, 0.5, 585.14, 1, 0)],
        Pressure = [Pressure(HostileHost, LimitNames.Shmmni, 2, 4096, 2)],
        Churn = [new() { Host = HostileHost, Kind = IpcKind.Shm, Created = 1, Removed = 0, VanishedWhileUsed = 0 }],
        Series = [new HostSeries(HostileHost, [new SeriesPoint(Since, 1, 0, 0, 4096, 0, 0), new SeriesPoint(Until, 2, 0, 0, 8192, 0, 0)])],
    };

    /// <summary>A window with no findings at all: every section must say so rather than vanish.</summary>
    public static ReportDocument Empty() => new()
    {
        Window = new ReportWindow(Since, Until, Snapshots: 0, Hosts: []),
        Orphans = [], Growth = [], Pressure = [], Churn = [], Series = [],
    };

    private static DateTimeOffset At(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    private static OrphanFinding Orphan(string host, string kind, int id, string key, uint owner, ulong bytes, DateTimeOffset orphanedSince,
        DateTimeOffset firstSeen, int? pid, bool? alive, string reason, string? command) => new()
    {
        Host = host, Kind = kind, Id = id, Key = key, Owner = owner, Bytes = bytes, FirstSeen = firstSeen,
        UnusedSince = orphanedSince, OrphanedSince = orphanedSince,
        AgeSeconds = (long)(Until - orphanedSince).TotalSeconds, CreatorPid = pid, CreatorAlive = alive, Reason = reason,
        Evidence = [$"creator pid {pid} was seen alive from {firstSeen:yyyy-MM-ddTHH:mm:ssZ} and had exited by {orphanedSince:yyyy-MM-ddTHH:mm:ssZ}",
            "its parent pid 1 is init or a service manager, which adopts orphans: not family"],
        SuggestedCommand = $"ipcrm -{kind switch { IpcKind.Shm => 'm', IpcKind.Sem => 's', _ => 'q' }} {id}", CreatorCommand = command,
        // Attribution: uid 1000 had no name on its host (null); Apache's children ran in apache2.service.
        OwnerName = owner switch { 0 => "root", 33 => "www-data", _ => null },
        Application = owner == 33 ? "apache2.service" : command is null ? null : Path.GetFileName(command.Split(' ')[0]),
        Processes = pid is { } p
            ? [new Collector.Model.ObjectProcess(p, "creator", alive, command is null ? null : Path.GetFileName(command.Split(' ')[0]), command, null,
                owner == 33 ? "apache2.service" : null)]
            : [],
    };

    /// <summary>An idle finding: no removal command, and what a verdict still needs.</summary>
    private static OrphanFinding Idle(string host, string kind, int id, string key, uint owner, ulong bytes, DateTimeOffset unusedSince,
        string missing, string evidence) => new()
    {
        Verdict = Verdict.Idle, Host = host, Kind = kind, Id = id, Key = key, Owner = owner, Bytes = bytes, FirstSeen = unusedSince,
        UnusedSince = unusedSince, AgeSeconds = (long)(Until - unusedSince).TotalSeconds,
        Reason = $"idle: {missing}", Evidence = [evidence], Missing = [missing],
    };

    private static GrowthRow Growth(string host, string kind, uint owner, long startCount, long endCount, ulong startBytes, ulong endBytes,
        double countSlope, double bytesSlope, long created, long removed) => new()
    {
        Host = host, Kind = kind, Owner = owner, StartCount = startCount, EndCount = endCount, StartBytes = startBytes, EndBytes = endBytes,
        CountSlopePerDay = countSlope, BytesSlopePerDay = bytesSlope, Created = created, Removed = removed,
    };

    private static PressureRow Pressure(string host, string limit, ulong used, ulong? max, ulong peak, DateTimeOffset? peakAt = null,
        long above80 = 0, long above90 = 0, DateTimeOffset? exhaustion = null, string? trend = TrendNames.Flat) => new()
    {
        Host = host, Limit = limit, Used = used, Max = max,
        Percent = max is { } m ? used * 100.0 / m : null,
        PeakPercent = max is { } pm ? peak * 100.0 / pm : null,
        PeakAt = max is null ? null : peakAt ?? Until,
        SecondsAbove80 = above80, SecondsAbove90 = above90, ProjectedExhaustion = exhaustion,
        Trend = LimitRoles.Of(limit) == LimitRoles.Cap ? null : trend,
    };

    private static DateTimeOffset PointAt(int i) => Since.AddMinutes(210 * i);

    /// <summary>A leaking web server: segments climb, Apache leaves semaphore arrays, a queue fills and drains.</summary>
    private static HostSeries WebSeries() => new(Web, Enumerable.Range(0, Points).Select(i =>
    {
        var shm = 12 + i * 18 / (Points - 1);
        var sem = 38 + i / 16 + (i % 7 == 3 ? 2 : 0);
        var msg = 5 - i / 20 + (i % 5 == 0 ? 1 : 0);
        return new SeriesPoint(PointAt(i), shm, sem, msg, (256UL << 20) + (ulong)shm * (64UL << 20), sem * 4L, (ulong)(4096 + 1024 * (i % 9)));
    }).ToList());

    /// <summary>A database host on old limits: semaphore arrays creep towards SEMMNI 128; rebooted once, mid-week.</summary>
    private static HostSeries DbSeries() => new(Db, Enumerable.Range(0, Points).Select(i =>
    {
        var sem = 100 + (int)Math.Round(19.0 * i / (Points - 1)) + (i % 6 == 2 ? 2 : 0);
        return new SeriesPoint(PointAt(i), 8, sem, 2, 8606711808UL + (ulong)(i % 3) * (16UL << 20), sem * 16L, i > 10 ? 8192UL : 0UL);
    }).ToList(), [PointAt(DbReboot)]);

    /// <summary>The point at which db2 was seen on a new boot.</summary>
    public const int DbReboot = 25;
}
