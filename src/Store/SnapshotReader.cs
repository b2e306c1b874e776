using IpcAudit.Collector;
using System.Globalization;
using IpcAudit.Collector.Model;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IpcAudit.Store;

/// <summary>Reads stored snapshots back. Opens the database read-only.</summary>
public sealed class SnapshotReader : IDisposable
{
    /// <summary>A SQLite file's connection, or the central PostgreSQL store's (README: Fleet).</summary>
    public DbConnection Connection { get; }
    /// <summary>The file, or the server as messages name it (never with a password).</summary>
    public string Path { get; }

    public SnapshotReader(DbConnection connection, string path) => (Connection, Path) = (connection, path);

    /// <summary>A SQLite file, or the server when <paramref name="path"/> is a postgresql:// URI or connection string.</summary>
    public static SnapshotReader Open(string path)
    {
        if (ServerAddress.IsServer(path))
        {
            var server = ServerAddress.Parse(path, commandLine: true);
            return new SnapshotReader(ServerDatabase.OpenForRead(server), ServerAddress.Describe(server));
        }
        var full = System.IO.Path.GetFullPath(path);
        return new SnapshotReader(IpcAuditDatabase.OpenForRead(full), full);
    }

    /// <summary>The SQLite connection of a file (merge and ship read a local spool).</summary>
    internal SqliteConnection Local => Connection as SqliteConnection
        ?? throw new IpcAuditException($"{Path}: a local SQLite database is needed here, not a server", ExitCodes.Usage);

    public IReadOnlyList<SnapshotSummary> List(string? host = null) => Guard(() => Rows(ReaderSql.ListSnapshots, [host], r =>
        new SnapshotSummary(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), Text(r, 4), Long(r, 5),
            UnixTime.FromMs(r.GetInt64(6)), (int?)Long(r, 7), (int?)Long(r, 8), (int?)Long(r, 9), r.GetString(10)) { NamespaceLabel = Text(r, 11) }));

    /// <summary>The host names that have snapshots, sorted.</summary>
    public IReadOnlyList<string> Hosts() => Guard(() => Rows(ReaderSql.Hosts, [], r => r.GetString(0)));

    /// <summary>A snapshot named by id, or the latest at or before an ISO-8601 time; null when none.</summary>
    public long? Resolve(string idOrTime, string? host = null)
    {
        var all = List(host);
        if (long.TryParse(idOrTime, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return all.Any(s => s.SnapshotId == id) ? id : null;
        if (!DateTimeOffset.TryParse(idOrTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            throw new IpcAuditException($"'{idOrTime}' is neither a snapshot id nor an ISO-8601 time (e.g. 2026-11-21T06:00:00Z)", ExitCodes.BadInput);
        return all.LastOrDefault(s => s.TakenAt <= at)?.SnapshotId;
    }

    public long? Latest(string? host = null) => List(host).LastOrDefault()?.SnapshotId;

    /// <summary>Rebuilds the snapshot as it was collected: objects from the states valid at its time.</summary>
    public Snapshot Load(long snapshotId) => Guard(() =>
    {
        var h = Rows(ReaderSql.SnapshotHeader, [snapshotId], ReadHeader).SingleOrDefault()
                ?? throw new IpcAuditException($"{Path}: no snapshot {snapshotId}", ExitCodes.BadInput);
        var steps = Rows(ReaderSql.Steps, [snapshotId], r =>
            new CollectionStep(r.GetString(0), TimeSpan.FromTicks(r.GetInt64(1) * 10), r.GetInt64(2) != 0, Text(r, 3)));
        object?[] asOf = [h.Context, h.TakenAt];
        var shm = Rows(ReaderSql.ShmAsOf, asOf, ReadShm);
        var sem = Rows(ReaderSql.SemAsOf, asOf, ReadSem);
        var msg = Rows(ReaderSql.MsgAsOf, asOf, ReadMsg);
        var live = Rows(ReaderSql.ProcessesAsOf, asOf, r => new ProcessInfo
        {
            Pid = r.GetInt32(0), Alive = true, StartTime = UnixTime.FromMs(r.GetInt64(1)), Comm = Text(r, 2), Cmdline = Text(r, 3),
            Uid = (uint?)Long(r, 4),
            Exe = Text(r, 5), ExeFile = FileOf(r, 6), Cwd = Text(r, 8), CwdFile = FileOf(r, 9),
            Cgroup = Text(r, 11) is { } cgroup ? new CgroupIdentity(cgroup, Text(r, 12), Text(r, 13), Text(r, 14), Text(r, 15)) : null,
        }).ToDictionary(p => p.Pid);
        var names = Rows(AttributionSql.NamesAt, asOf, r => new AccountName(r.GetString(0), (uint)r.GetInt64(1), Text(r, 2)));
        var processesKnown = steps.Any(s => s.Name == SnapshotWriter.ProcessesStep && s.Succeeded);
        var posix = PosixReader.Load(Connection, snapshotId, h.Context, h.TakenAt);
        var processes = processesKnown
            ? ReferencedPids.SortedPositiveDistinct([.. ReferencedPids.Of(shm, sem, msg), .. posix?.ReferencedPids() ?? []]).Select(pid => live.TryGetValue(pid, out var p) ? p : new ProcessInfo { Pid = pid, Alive = false }).ToList()
            : [];
        return new Snapshot
        {
            Host = h.Host, TakenAt = UnixTime.FromMs(h.TakenAt), CollectorVersion = h.CollectorVersion,
            Limits = h.Limits, Usage = h.Usage,
            Shm = shm, Sem = sem, Msg = msg, Processes = processes, Steps = steps,
            Notes = CompactJson.ParseStrings(h.Notes), AccountNames = names,
            Namespace = h.NamespaceLabel is { } label ? new NamespaceLabel(label) : null,
            Posix = posix,
        };
    });

    /// <summary>`show --object`: the POSIX object of that kind and name in the snapshot, with its stored states up to it; null when it has none.</summary>
    public PosixObjectHistory? PosixObject(long snapshotId, string kind, string name) => Guard(() =>
    {
        var h = Rows(ReaderSql.SnapshotHeader, [snapshotId], ReadHeader).SingleOrDefault()
                ?? throw new IpcAuditException($"{Path}: no snapshot {snapshotId}", ExitCodes.BadInput);
        return PosixReader.History(Connection, h.Context, h.TakenAt, kind, name);
    });

    private static FileIdentity? FileOf(DbDataReader r, int device) =>
        Long(r, device) is { } dev && Long(r, device + 1) is { } ino ? new FileIdentity((ulong)dev, (ulong)ino) : null;

    private static ulong? U(string? text) => text is null ? null : ulong.Parse(text, CultureInfo.InvariantCulture);

    private T Guard<T>(Func<T> read)
    {
        try { return read(); }
        catch (SqliteException e) { throw IpcAuditDatabase.Translate(e, Path); }
        catch (NpgsqlException e) { throw ServerDatabase.Translate(e, Path); }
    }

    public void Dispose() => Connection.Dispose();

    /// <summary>Runs one read statement and maps every row; columns are read by position (ReaderSql's order).</summary>
    private List<T> Rows<T>(string sql, ReadOnlySpan<object?> values, Func<DbDataReader, T> map)
    {
        using var statement = new Statement(Connection, null, sql);
        using var reader = statement.Bind(values).Query();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static ulong? Exact(DbDataReader r, int i) => U(Text(r, i));

    /// <summary>ReaderSql.SnapshotHeader's row: the snapshot, its context and its limit set.</summary>
    private sealed record Header(long Context, long TakenAt, string CollectorVersion, string? Notes, HostIdentity Host,
        IpcLimits Limits, IpcUsage Usage)
    {
        public string? NamespaceLabel { get; init; }
    }

    private static Header ReadHeader(DbDataReader r) => new(r.GetInt64(2), r.GetInt64(3), r.GetString(4), Text(r, 5),
        new HostIdentity
        {
            Host = r.GetString(15), MachineId = Text(r, 16), BootId = Text(r, 17), Kernel = Text(r, 18),
            IpcNamespace = (ulong?)Long(r, 19), PageSize = r.GetInt32(20),
        },
        new IpcLimits
        {
            Shmmax = Exact(r, 21), Shmall = Exact(r, 22), Shmmni = Exact(r, 23), ShmRmidForced = Exact(r, 24),
            Semmsl = Exact(r, 25), Semmns = Exact(r, 26), Semopm = Exact(r, 27), Semmni = Exact(r, 28),
            Msgmax = Exact(r, 29), Msgmnb = Exact(r, 30), Msgmni = Exact(r, 31),
        },
        new IpcUsage
        {
            ShmSegments = Long(r, 6), ShmPagesAllocated = (ulong?)Long(r, 7), ShmPagesResident = (ulong?)Long(r, 8),
            ShmPagesSwapped = (ulong?)Long(r, 9), SemArrays = Long(r, 10), SemSemaphores = Long(r, 11),
            MsgQueues = Long(r, 12), MsgMessages = Long(r, 13), MsgBytes = Long(r, 14),
        }) { NamespaceLabel = Text(r, 32) };

    // Columns of ReaderSql.*AsOf: id, key, mode, uid, gid, cuid, cgid, then the kind's own.
    private static ShmSegment ReadShm(DbDataReader r) => new()
    {
        Id = r.GetInt32(0), Key = (uint)r.GetInt64(1), Mode = r.GetInt32(2), Uid = (uint)r.GetInt64(3), Gid = (uint)r.GetInt64(4),
        Cuid = (uint)r.GetInt64(5), Cgid = (uint)r.GetInt64(6), Bytes = (ulong)r.GetInt64(7), Nattch = r.GetInt64(8),
        Cpid = r.GetInt32(9), Lpid = r.GetInt32(10),
        Atime = UnixTime.FromMs(Long(r, 11)), Dtime = UnixTime.FromMs(Long(r, 12)), Ctime = UnixTime.FromMs(Long(r, 13)),
        RssBytes = (ulong?)Long(r, 14), SwapBytes = (ulong?)Long(r, 15), AttachedPids = CompactJson.ParsePids(Text(r, 16)),
    };

    private static SemArray ReadSem(DbDataReader r) => new()
    {
        Id = r.GetInt32(0), Key = (uint)r.GetInt64(1), Mode = r.GetInt32(2), Uid = (uint)r.GetInt64(3), Gid = (uint)r.GetInt64(4),
        Cuid = (uint)r.GetInt64(5), Cgid = (uint)r.GetInt64(6), Nsems = r.GetInt32(7),
        Otime = UnixTime.FromMs(Long(r, 8)), Ctime = UnixTime.FromMs(Long(r, 9)),
        Semaphores = CompactJson.ParseSemaphores(Text(r, 10)), Vanished = r.GetInt64(11) != 0,
    };

    private static MsgQueue ReadMsg(DbDataReader r) => new()
    {
        Id = r.GetInt32(0), Key = (uint)r.GetInt64(1), Mode = r.GetInt32(2), Uid = (uint)r.GetInt64(3), Gid = (uint)r.GetInt64(4),
        Cuid = (uint)r.GetInt64(5), Cgid = (uint)r.GetInt64(6), Cbytes = (ulong)r.GetInt64(7), Qnum = (ulong)r.GetInt64(8),
        Qbytes = (ulong?)Long(r, 9), Lspid = r.GetInt32(10), Lrpid = r.GetInt32(11),
        Stime = UnixTime.FromMs(Long(r, 12)), Rtime = UnixTime.FromMs(Long(r, 13)), Ctime = UnixTime.FromMs(Long(r, 14)),
        Vanished = r.GetInt64(15) != 0,
    };
}
