using System.Globalization;
using Dapper;
using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Collector.Storage;

/// <summary>Reads stored snapshots back. Opens the database read-only.</summary>
public sealed class SnapshotReader : IDisposable
{
    static SnapshotReader() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public SqliteConnection Connection { get; }
    public string Path { get; }

    public SnapshotReader(SqliteConnection connection, string path) => (Connection, Path) = (connection, path);

    public static SnapshotReader Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return new SnapshotReader(IpcAuditDatabase.OpenForRead(full), full);
    }

    public IReadOnlyList<SnapshotSummary> List(string? host = null) => Guard(() =>
        Connection.Query<SummaryRow>(ReaderSql.ListSnapshots, new { host }).Select(r => r.ToSummary()).ToList());

    /// <summary>The host names that have snapshots, sorted.</summary>
    public IReadOnlyList<string> Hosts() => Guard(() => Connection.Query<string>(ReaderSql.Hosts).ToList());

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
        var h = Connection.QuerySingleOrDefault<HeaderRow>(ReaderSql.SnapshotHeader, new { id = snapshotId })
                ?? throw new IpcAuditException($"{Path}: no snapshot {snapshotId}", ExitCodes.BadInput);
        var steps = Connection.Query<StepRow>(ReaderSql.Steps, new { id = snapshotId })
            .Select(s => new CollectionStep(s.Step, TimeSpan.FromTicks(s.DurationUs * 10), s.Succeeded != 0, s.Note)).ToList();
        var args = new { context = h.ContextId, at = h.TakenAt };
        var shm = Connection.Query<ShmRow>(ReaderSql.ShmAsOf, args).Select(r => r.ToModel()).ToList();
        var sem = Connection.Query<SemRow>(ReaderSql.SemAsOf, args).Select(r => r.ToModel()).ToList();
        var msg = Connection.Query<MsgRow>(ReaderSql.MsgAsOf, args).Select(r => r.ToModel()).ToList();
        var live = Connection.Query<ProcessRow>(ReaderSql.ProcessesAsOf, args).ToDictionary(p => (int)p.Pid);
        var processesKnown = steps.Any(s => s.Name == SnapshotWriter.ProcessesStep && s.Succeeded);
        var processes = processesKnown
            ? ReferencedPids.Of(shm, sem, msg).Select(pid => live.TryGetValue(pid, out var p)
                ? new ProcessInfo { Pid = pid, Alive = true, Comm = p.Comm, Cmdline = p.Cmdline, Uid = (uint?)p.Uid, StartTime = UnixTime.FromMs(p.StartTime) }
                : new ProcessInfo { Pid = pid, Alive = false }).ToList()
            : [];
        return new Snapshot
        {
            Host = new HostIdentity
            {
                Host = h.Host, MachineId = h.MachineId, BootId = h.BootId, Kernel = h.Kernel,
                IpcNamespace = (ulong?)h.IpcNamespace, PageSize = (int)h.PageSize,
            },
            TakenAt = UnixTime.FromMs(h.TakenAt),
            CollectorVersion = h.CollectorVersion,
            Limits = new IpcLimits
            {
                Shmmax = U(h.Shmmax), Shmall = U(h.Shmall), Shmmni = U(h.Shmmni), ShmRmidForced = U(h.ShmRmidForced),
                Semmsl = U(h.Semmsl), Semmns = U(h.Semmns), Semopm = U(h.Semopm), Semmni = U(h.Semmni),
                Msgmax = U(h.Msgmax), Msgmnb = U(h.Msgmnb), Msgmni = U(h.Msgmni),
            },
            Usage = new IpcUsage
            {
                ShmSegments = h.ShmSegments, ShmPagesAllocated = (ulong?)h.ShmPagesAllocated,
                ShmPagesResident = (ulong?)h.ShmPagesResident, ShmPagesSwapped = (ulong?)h.ShmPagesSwapped,
                SemArrays = h.SemArrays, SemSemaphores = h.SemSemaphores,
                MsgQueues = h.MsgQueues, MsgMessages = h.MsgMessages, MsgBytes = h.MsgBytes,
            },
            Shm = shm, Sem = sem, Msg = msg, Processes = processes, Steps = steps,
            Notes = CompactJson.ParseStrings(h.Notes),
        };
    });

    private static ulong? U(string? text) => text is null ? null : ulong.Parse(text, CultureInfo.InvariantCulture);

    private T Guard<T>(Func<T> read)
    {
        try { return read(); }
        catch (SqliteException e) { throw IpcAuditDatabase.Translate(e, Path); }
    }

    public void Dispose() => Connection.Dispose();

    // Row types: Dapper maps snake_case columns onto these (MatchNamesWithUnderscores).
    private sealed class SummaryRow
    {
        public long SnapshotId { get; set; } public string SnapshotUid { get; set; } = ""; public long ContextId { get; set; }
        public string Host { get; set; } = ""; public string? BootId { get; set; } public long? IpcNamespace { get; set; }
        public long TakenAt { get; set; } public long ShmCount { get; set; } public long SemCount { get; set; }
        public long MsgCount { get; set; } public string CollectorVersion { get; set; } = "";
        public SnapshotSummary ToSummary() => new(SnapshotId, SnapshotUid, ContextId, Host, BootId, IpcNamespace,
            UnixTime.FromMs(TakenAt), (int)ShmCount, (int)SemCount, (int)MsgCount, CollectorVersion);
    }

    private sealed class HeaderRow
    {
        public long SnapshotId { get; set; } public string SnapshotUid { get; set; } = ""; public long ContextId { get; set; }
        public long TakenAt { get; set; } public string CollectorVersion { get; set; } = ""; public string? Notes { get; set; }
        public long? ShmSegments { get; set; } public long? ShmPagesAllocated { get; set; } public long? ShmPagesResident { get; set; }
        public long? ShmPagesSwapped { get; set; } public long? SemArrays { get; set; } public long? SemSemaphores { get; set; }
        public long? MsgQueues { get; set; } public long? MsgMessages { get; set; } public long? MsgBytes { get; set; }
        public string Host { get; set; } = ""; public string? MachineId { get; set; } public string? BootId { get; set; }
        public string? Kernel { get; set; } public long? IpcNamespace { get; set; } public long PageSize { get; set; }
        public string? Shmmax { get; set; } public string? Shmall { get; set; } public string? Shmmni { get; set; }
        public string? ShmRmidForced { get; set; } public string? Semmsl { get; set; } public string? Semmns { get; set; }
        public string? Semopm { get; set; } public string? Semmni { get; set; } public string? Msgmax { get; set; }
        public string? Msgmnb { get; set; } public string? Msgmni { get; set; }
    }

    private sealed class StepRow
    {
        public string Step { get; set; } = ""; public long DurationUs { get; set; } public long Succeeded { get; set; } public string? Note { get; set; }
    }

    private sealed class ProcessRow
    {
        public long Pid { get; set; } public long StartTime { get; set; } public string? Comm { get; set; }
        public string? Cmdline { get; set; } public long? Uid { get; set; }
    }

    private sealed class ShmRow
    {
        public long Id { get; set; } public long Key { get; set; } public long Mode { get; set; }
        public long Uid { get; set; } public long Gid { get; set; } public long Cuid { get; set; } public long Cgid { get; set; }
        public long Bytes { get; set; } public long Nattch { get; set; } public long Cpid { get; set; } public long Lpid { get; set; }
        public long? Atime { get; set; } public long? Dtime { get; set; } public long? Ctime { get; set; }
        public long? RssBytes { get; set; } public long? SwapBytes { get; set; } public string? AttachedPids { get; set; }
        public ShmSegment ToModel() => new()
        {
            Id = (int)Id, Key = (uint)Key, Mode = (int)Mode, Uid = (uint)Uid, Gid = (uint)Gid, Cuid = (uint)Cuid, Cgid = (uint)Cgid,
            Bytes = (ulong)Bytes, Nattch = Nattch, Cpid = (int)Cpid, Lpid = (int)Lpid,
            Atime = UnixTime.FromMs(Atime), Dtime = UnixTime.FromMs(Dtime), Ctime = UnixTime.FromMs(Ctime),
            RssBytes = (ulong?)RssBytes, SwapBytes = (ulong?)SwapBytes, AttachedPids = CompactJson.ParsePids(AttachedPids),
        };
    }

    private sealed class SemRow
    {
        public long Id { get; set; } public long Key { get; set; } public long Mode { get; set; }
        public long Uid { get; set; } public long Gid { get; set; } public long Cuid { get; set; } public long Cgid { get; set; }
        public long Nsems { get; set; } public long? Otime { get; set; } public long? Ctime { get; set; }
        public string? Semaphores { get; set; } public long Vanished { get; set; }
        public SemArray ToModel() => new()
        {
            Id = (int)Id, Key = (uint)Key, Mode = (int)Mode, Uid = (uint)Uid, Gid = (uint)Gid, Cuid = (uint)Cuid, Cgid = (uint)Cgid,
            Nsems = (int)Nsems, Otime = UnixTime.FromMs(Otime), Ctime = UnixTime.FromMs(Ctime),
            Semaphores = CompactJson.ParseSemaphores(Semaphores), Vanished = Vanished != 0,
        };
    }

    private sealed class MsgRow
    {
        public long Id { get; set; } public long Key { get; set; } public long Mode { get; set; }
        public long Uid { get; set; } public long Gid { get; set; } public long Cuid { get; set; } public long Cgid { get; set; }
        public long Cbytes { get; set; } public long Qnum { get; set; } public long? Qbytes { get; set; }
        public long Lspid { get; set; } public long Lrpid { get; set; }
        public long? Stime { get; set; } public long? Rtime { get; set; } public long? Ctime { get; set; } public long Vanished { get; set; }
        public MsgQueue ToModel() => new()
        {
            Id = (int)Id, Key = (uint)Key, Mode = (int)Mode, Uid = (uint)Uid, Gid = (uint)Gid, Cuid = (uint)Cuid, Cgid = (uint)Cgid,
            Cbytes = (ulong)Cbytes, Qnum = (ulong)Qnum, Qbytes = (ulong?)Qbytes, Lspid = (int)Lspid, Lrpid = (int)Lrpid,
            Stime = UnixTime.FromMs(Stime), Rtime = UnixTime.FromMs(Rtime), Ctime = UnixTime.FromMs(Ctime), Vanished = Vanished != 0,
        };
    }
}
