using System.Globalization;
using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Store;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IpcAudit.Report.History;

/// <summary>
/// A report window over a read-only database: which contexts and snapshots it holds, who was alive
/// when (read unit by unit, <see cref="ReadDetails"/>), and a stream of the object states that overlap
/// it. Objects are streamed one at a time, so memory follows the number of snapshots, not the number
/// of state rows.
/// </summary>
public sealed class WindowHistory
{
    private readonly DbConnection _connection;
    private readonly string _path;

    public DateTimeOffset Since { get; }
    public DateTimeOffset Until { get; }
    public IReadOnlyList<HistoryUnit> Units { get; }
    /// <summary>Objects `ipcaudit reap` removed (reap_log), so churn counts them apart; read on first use.</summary>
    public IReadOnlySet<long> ReapedObjects => _reaped ??= Guard(_path, () => ReapLog.RemovedObjects(_connection));
    private HashSet<long>? _reaped;
    public int SnapshotCount => Units.Sum(u => u.SnapshotCount);
    /// <summary>Host names with snapshots in the window, sorted.</summary>
    public IReadOnlyList<string> Hosts => Units.Select(u => u.Host).Distinct().Order(StringComparer.Ordinal).ToList();

    private WindowHistory(DbConnection connection, string path, DateTimeOffset since, DateTimeOffset until, IReadOnlyList<HistoryUnit> units) =>
        (_connection, _path, Since, Until, Units) = (connection, path, since, until, units);

    /// <param name="hosts">Only these hosts (case-insensitive); all when empty.</param>
    public static WindowHistory Load(DbConnection connection, DateTimeOffset since, DateTimeOffset until, IReadOnlyCollection<string> hosts)
    {
        var path = connection is Npgsql.NpgsqlConnection server ? ServerAddress.Describe(server.ConnectionString) : connection.DataSource;
        return Guard(path, () =>
        {
            var limits = LoadLimitSets(connection);
            var from = UnixTime.Ms(since);
            var to = UnixTime.Ms(until);
            var contexts = new List<ContextWindow>();
            var rows = new List<(long Id, string Host, string? Boot, long? Ns, int Page, long? SysUidMax, string? NsLabel)>();
            using (var command = Command(connection, HistorySql.Contexts))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                    rows.Add((reader.GetInt64(0), reader.GetString(1), NullableString(reader, 2), NullableLong(reader, 3), reader.GetInt32(4),
                        NullableLong(reader, 5), NullableString(reader, 6)));
            }
            {
                foreach (var r in rows)
                {
                    if (hosts.Count > 0 && !hosts.Contains(r.Host, StringComparer.OrdinalIgnoreCase)) continue;
                    var timeline = LoadTimeline(connection, r.Id, from, to, limits);
                    if (timeline.Count == 0) continue;
                    contexts.Add(new ContextWindow
                    {
                        ContextId = r.Id, Host = r.Host, BootId = r.Boot, IpcNamespace = r.Ns, PageSize = r.Page, SysUidMax = r.SysUidMax, NamespaceLabel = r.NsLabel,
                        Window = timeline,
                    });
                }
            }
            return new WindowHistory(connection, path, since, until, GroupUnits(contexts));
        });
    }

    private static List<HistoryUnit> GroupUnits(List<ContextWindow> contexts)
    {
        var units = new List<HistoryUnit>();
        foreach (var host in contexts.GroupBy(c => c.Host).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var latestBoot = host.MaxBy(c => c.WindowEnd)!.BootId;
            var byNamespace = host.GroupBy(c => c.IpcNamespace).OrderBy(g => g.Key != HistoryUnit.InitialIpcNamespace).ThenBy(g => g.Key).ToList();
            var named = byNamespace.ToDictionary(g => g.Key ?? -1, g => NamespaceLabelOf(g.Key, g.OrderBy(c => c.WindowStart).Last()));
            foreach (var ns in byNamespace)
            {
                var chain = ns.OrderBy(c => c.WindowStart).ToList();
                var inode = $"ipc:{(ns.Key is { } n ? n.ToString(CultureInfo.InvariantCulture) : "unknown")}";
                var nsLabel = named[ns.Key ?? -1];
                // The namespace's label when it tells it apart from the host's other namespaces ("db1 docker:3f2a1b9c0d1e"),
                // with the inode when two share one (two containers of the same command).
                var label = byNamespace.Count == 1 || ns.Key == HistoryUnit.InitialIpcNamespace ? host.Key
                    : nsLabel is null || nsLabel == NamespaceLabel.Host ? $"{host.Key} {inode}"
                    : named.Values.Count(v => v == nsLabel) > 1 ? $"{host.Key} {nsLabel} {inode}"
                    : $"{host.Key} {nsLabel}";
                units.Add(new HistoryUnit
                {
                    Host = host.Key, IpcNamespace = ns.Key, Label = label, NamespaceLabel = nsLabel, Contexts = chain,
                    Current = chain[^1].BootId == latestBoot,
                });
            }
        }
        return units;
    }

    private static string? NamespaceLabelOf(long? inode, ContextWindow latest) =>
        latest.NamespaceLabel ?? (inode == HistoryUnit.InitialIpcNamespace ? NamespaceLabel.Host : null);

    /// <summary>
    /// Only the units of one namespace: its label (case-insensitive) or inode, or "host" for the initial
    /// namespace. Null takes all.
    /// </summary>
    public WindowHistory OfNamespace(string? wanted) => wanted is null ? this
        : new WindowHistory(_connection, _path, Since, Until, [.. Units.Where(u => NamespaceMatches(u, wanted))]);

    /// <summary>
    /// The same window read through another connection (one that sees the same moment of the store), with
    /// caches of its own: a second reader of the units on a thread of its own.
    /// </summary>
    public WindowHistory Over(DbConnection connection) => new(connection, _path, Since, Until, Units);

    private static bool NamespaceMatches(HistoryUnit u, string wanted) => NamespaceNames.Matches(u.IpcNamespace, u.NamespaceLabel, wanted);

    /// <summary>
    /// Reads the process spans and attribution of each of the unit's contexts not read yet, on this history's
    /// connection: by the reader that takes the unit, so a report of a thousand hosts reads them on every
    /// connection at once instead of one after another before reading begins.
    /// </summary>
    public void ReadDetails(HistoryUnit unit) => Guard(_path, () =>
    {
        foreach (var context in unit.Contexts)
        {
            if (context.HasDetails) continue;
            context.Processes = LoadProcesses(_connection, context.ContextId);
            context.Attribution = ContextAttribution.Load(_connection, context.ContextId, context.WindowEnd);
        }
        return 0;
    });

    /// <summary>The objects of a context alive at some snapshot of its window.</summary>
    public IReadOnlyList<ObjectRecord> Objects(ContextWindow context) => Guard(_path, () =>
    {
        var command = Prepared(HistorySql.Objects);
        Bind(command, ("$context", context.ContextId), ("$from", context.WindowStart), ("$to", context.WindowEnd));
        using var r = command.ExecuteReader();
        var objects = new List<ObjectRecord>();
        while (r.Read())
            objects.Add(new ObjectRecord(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), StateQuery.N(r, 4), r.GetInt64(5), StateQuery.N(r, 6))
            {
                OwnerUid = (uint?)StateQuery.N(r, 7), OwnerChangedAt = StateQuery.N(r, 8),
            });
        return objects;
    });

    /// <summary>
    /// Who owned each object over the window. The object row keeps its first owner and whether that ever
    /// changed (schema 9); only an object whose owner changed (IPC_SET) has its states read, three
    /// narrow columns each.
    /// </summary>
    public Dictionary<long, OwnerSpan[]> Owners(ContextWindow context, IReadOnlyList<ObjectRecord> objects) => Guard(_path, () =>
    {
        var owners = new Dictionary<long, OwnerSpan[]>(objects.Count);
        foreach (var o in objects)
        {
            if (o.OwnerUid is { } uid && o.OwnerChangedAt is null)
            {
                owners[o.ObjectId] = [new OwnerSpan(o.FirstSeen, o.End, uid)];
                continue;
            }
            var history = Prepared(HistorySql.OwnerChanges(o.Kind));
            Bind(history, ("$object", o.ObjectId), ("$from", context.WindowStart), ("$to", context.WindowEnd));
            using var r = history.ExecuteReader();
            var spans = new List<OwnerSpan>();
            while (r.Read()) spans.Add(new OwnerSpan(r.GetInt64(0), StateQuery.N(r, 1) ?? long.MaxValue, (uint)r.GetInt64(2)));
            if (spans.Count > 0) owners[o.ObjectId] = [.. spans];
        }
        return owners;
    });

    /// <summary>Each snapshot's queues per owner over the window (seven narrow columns, a row per snapshot and owner).</summary>
    public void QueueTotals(ContextWindow context, Action<QueueTotals> onTotals) => Guard(_path, () =>
    {
        var command = Prepared(HistorySql.QueueTotals);
        Bind(command, ("$context", context.ContextId), ("$from", context.WindowStart), ("$to", context.WindowEnd));
        using var r = command.ExecuteReader();
        while (r.Read())
            onTotals(new QueueTotals(r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt64(2), (ulong)r.GetInt64(3),
                (ulong)r.GetInt64(4), (ulong)r.GetInt64(5), (ulong)r.GetInt64(6)));
        return 0;
    });

    /// <summary>
    /// States read ahead by <see cref="Preload"/>, by object: its state at the window's end, or the last state
    /// of an object removed in the window (Last: no state follows it). Either answers for any time it covers,
    /// so a rule asking for the state just before a removal needs no read.
    /// </summary>
    private readonly Dictionary<long, (IObjectState State, bool Last)> _known = [];

    /// <summary>
    /// Reads ahead, one statement per kind, the states the rules of a context ask for first: the last
    /// state of every object removed in its window (churn), and, with <paramref name="atEnd"/>, the state
    /// every object present at its end holds then (verdicts). <see cref="NewestFirst"/> starts from them
    /// without a query: on a server, a report of a thousand hosts would otherwise wait for a round trip
    /// per object. Replaces what the previous context read ahead.
    /// </summary>
    public void Preload(ContextWindow context, bool atEnd) => Guard(_path, () =>
    {
        _known.Clear();
        _ahead.Clear();
        Preload(StateQuery.Shm, context, atEnd);
        Preload(StateQuery.Sem, context, atEnd);
        Preload(StateQuery.Msg, context, atEnd);
        return 0;
    });

    private void Preload<T>(StateQuery<T> query, ContextWindow context, bool atEnd) where T : struct, IObjectState
    {
        if (atEnd)
        {
            var present = Prepared(Dialect.IsServer(_connection) ? query.ServerStatesAt : query.StatesAt);
            Bind(present, ("$context", context.ContextId), ("$at", context.WindowEnd));
            using var r = present.ExecuteReader();
            while (r.Read()) _known[r.GetInt64(query.ObjectIdColumn)] = (query.Read(r), false);
        }
        var removed = Prepared(Dialect.IsServer(_connection) ? query.ServerLastStates : query.LastStates);
        Bind(removed, ("$context", context.ContextId), ("$from", context.WindowStart), ("$to", context.WindowEnd));
        using (var r = removed.ExecuteReader())
            while (r.Read()) _known[r.GetInt64(query.ObjectIdColumn)] = (query.Read(r), true);
    }

    /// <summary>
    /// States read ahead by <see cref="ReadAhead"/> (up to <see cref="AheadDepth"/> newest per object) or
    /// <see cref="ReadRest"/> (all of them), by object and the time they were asked for; Complete when no
    /// older state exists.
    /// </summary>
    private readonly Dictionary<(long Object, long At), (IObjectState[] States, bool Complete)> _ahead = [];
    // 3, measured: against 8, the same reports with 10 % less server time at 100 hosts x 7 days and 5-20 % less
    // wall at 1,000 hosts x 1 day (most quiet objects are decided by their newest two states); 16 was slower.
    private const int AheadDepth = 3;

    /// <summary>
    /// On a server, reads ahead in one statement the newest states of the objects a rule will go back
    /// through (the quiet ones), <see cref="AheadDepth"/> each: most have fewer states than that, and one
    /// used now and then is decided within two. Longer histories are read by <see cref="ReadRest"/>. SQLite
    /// reads each object's states in process, where a statement per object costs no round trip.
    /// </summary>
    public void ReadAhead<T>(StateQuery<T> query, IReadOnlyCollection<long> objectIds, long at) where T : struct, IObjectState =>
        ReadNewest(query, objectIds, at, AheadDepth);

    /// <summary>Objects a rule went back past what was read ahead while <see cref="ReadRest"/> probed, by kind.</summary>
    private Dictionary<string, HashSet<long>>? _probing;

    /// <summary>
    /// On a server: runs <paramref name="rules"/> once over what was read ahead, noting every object whose rule
    /// goes back further (a quiet object's rule reads to its first state, for every pid that used it), then reads
    /// those objects' whole histories up to <paramref name="at"/> in one statement per kind. Without it, each
    /// such object cost a round trip per 32 states: at 1,000 hosts, about fifty per host. The rules' own results
    /// in the probe are thrown away; run them again after.
    /// </summary>
    public void ReadRest(long at, Action rules)
    {
        if (!Dialect.IsServer(_connection)) return;
        _probing = [];
        Dictionary<string, HashSet<long>> wanted;
        try { rules(); }
        finally { (wanted, _probing) = (_probing, null); }
        ReadNewest(StateQuery.Shm, wanted.GetValueOrDefault(StateQuery.Shm.Kind) ?? [], at, int.MaxValue);
        ReadNewest(StateQuery.Sem, wanted.GetValueOrDefault(StateQuery.Sem.Kind) ?? [], at, int.MaxValue);
        ReadNewest(StateQuery.Msg, wanted.GetValueOrDefault(StateQuery.Msg.Kind) ?? [], at, int.MaxValue);
    }

    /// <summary>Up to <paramref name="depth"/> newest states at or before <paramref name="at"/> of each object, in one statement (server only).</summary>
    private void ReadNewest<T>(StateQuery<T> query, IReadOnlyCollection<long> objectIds, long at, int depth) where T : struct, IObjectState
    {
        if (!Dialect.IsServer(_connection)) return;
        var wanted = objectIds.Where(id => !_ahead.TryGetValue((id, at), out var a) || !a.Complete && a.States.Length < depth).ToList();
        if (wanted.Count == 0) return;
        Guard(_path, () =>
        {
            var command = Command(_connection, query.NewestFirstOfMany);
            Dialect.Set(command, "$ids", string.Join(',', wanted.Select(id => id.ToString(CultureInfo.InvariantCulture))));
            Dialect.Set(command, "$at", at);
            Dialect.Set(command, "$depth", depth);
            using (command)
            using (var r = command.ExecuteReader()) ReadGrouped(r, query, depth, at);
            return 0;
        });
    }

    /// <summary>
    /// Reads rows of up to <paramref name="depth"/> states per object, grouped by object (id last), newest first,
    /// into the read-ahead at <paramref name="at"/>.
    /// </summary>
    private void ReadGrouped<T>(DbDataReader r, StateQuery<T> query, int depth, long at) where T : struct, IObjectState
    {
        var (current, states) = (long.MinValue, new List<IObjectState>());
        void Close()
        {
            if (states.Count > 0) _ahead[(current, at)] = ([.. states], states.Count < depth);
        }
        while (r.Read())
        {
            var id = r.GetInt64(query.ObjectIdColumn);
            if (id != current) { Close(); (current, states) = (id, []); }
            states.Add(query.Read(r));
        }
        Close();
    }

    /// <summary>
    /// An object's full states valid at or before <paramref name="at"/>, newest first, read lazily:
    /// a rule that has decided stops reading (for an object in use, after the one row read ahead).
    /// </summary>
    public IEnumerable<T> NewestFirst<T>(StateQuery<T> query, long objectId, long at) where T : struct, IObjectState =>
        _ahead.TryGetValue((objectId, at), out var ahead) ? KnownThenOlder(query, objectId, ahead.States, ahead.Complete)
        : _known.TryGetValue(objectId, out var known) && known.State.From <= at && (at < known.State.To || known.Last)
            ? KnownThenOlder(query, objectId, [known.State], complete: false)
        : Read(query, objectId, at);

    private IEnumerable<T> Read<T>(StateQuery<T> query, long objectId, long at) where T : struct, IObjectState =>
        _probing is not null ? Probed<T>(query.Kind, objectId)
        : Dialect.IsServer(_connection) ? NewestFirstInPages(query, objectId, at) : NewestFirstStreamed(query, objectId, at);

    /// <summary>While probing, a read past what is known notes the object for <see cref="ReadRest"/> and ends its states.</summary>
    private IEnumerable<T> Probed<T>(string kind, long objectId)
    {
        if (!_probing!.TryGetValue(kind, out var ids)) _probing[kind] = ids = [];
        ids.Add(objectId);
        yield break;
    }

    private IEnumerable<T> KnownThenOlder<T>(StateQuery<T> query, long objectId, IObjectState[] known, bool complete) where T : struct, IObjectState
    {
        foreach (var state in known) yield return (T)state;
        if (complete) yield break;
        foreach (var state in Read(query, objectId, known[^1].From - 1)) yield return state;
    }

    /// <summary>Rows in pages for PostgreSQL: one connection runs one query at a time, and rules interleave their reads.</summary>
    private IEnumerable<T> NewestFirstInPages<T>(StateQuery<T> query, long objectId, long at) where T : struct, IObjectState
    {
        const int Page = 32;
        var command = Prepared(query.NewestFirst + " LIMIT " + Page);
        for (var before = at; ;)
        {
            var page = Guard(_path, () =>
            {
                Bind(command, ("$object", objectId), ("$at", before));
                using var r = command.ExecuteReader();
                var rows = new List<T>(Page);
                while (r.Read()) rows.Add(query.Read(r));
                return rows;
            });
            foreach (var state in page) yield return state;
            if (page.Count < Page) yield break;
            before = page[^1].From - 1;
        }
    }

    private IEnumerable<T> NewestFirstStreamed<T>(StateQuery<T> query, long objectId, long at) where T : struct, IObjectState
    {
        var command = Prepared(query.NewestFirst);
        Bind(command, ("$object", objectId), ("$at", at));
        DbDataReader reader;
        try { reader = command.ExecuteReader(); }
        catch (SqliteException e) { throw IpcAuditDatabase.Translate(e, _path); }
        catch (NpgsqlException e) { throw ServerDatabase.Translate(e, _path); }
        using (reader)
        {
            while (true)
            {
                T state;
                try
                {
                    if (!reader.Read()) yield break;
                    state = query.Read(reader);
                }
                catch (SqliteException e) { throw IpcAuditDatabase.Translate(e, _path); }
        catch (NpgsqlException e) { throw ServerDatabase.Translate(e, _path); }
                yield return state;
            }
        }
    }

    /// <summary>A context's snapshots before <paramref name="before"/>: where orphan runs that began before the window are traced.</summary>
    public SnapshotTimeline TimelineBefore(ContextWindow context, long before) => Guard(_path, () =>
        LoadTimeline(_connection, context.ContextId, long.MinValue, before - 1, LoadLimitSets(_connection)));

    private readonly Dictionary<string, DbCommand> _prepared = [];

    // One command per statement, reused with new values: SQLite keeps it compiled.
    private DbCommand Prepared(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command)) _prepared[sql] = command = Command(_connection, sql);
        return command;
    }

    private static void Bind(DbCommand command, params (string Name, long Value)[] values)
    {
        foreach (var (name, value) in values) Dialect.Set(command, name, value);
    }

    private static SnapshotTimeline LoadTimeline(DbConnection connection, long context, long from, long to, IReadOnlyDictionary<long, IpcLimits> limits)
    {
        using var command = Command(connection, HistorySql.Snapshots);
        Dialect.Set(command, "$context", context);
        Dialect.Set(command, "$from", from);
        Dialect.Set(command, "$to", to);
        using var reader = command.ExecuteReader();
        var (times, ok, lims, holders) = (new List<long>(), new List<bool>(), new List<IpcLimits>(), new List<bool>());
        while (reader.Read())
        {
            times.Add(reader.GetInt64(0));
            lims.Add(NullableLong(reader, 1) is { } l && limits.TryGetValue(l, out var set) ? set : NoLimits);
            ok.Add(reader.GetInt64(2) != 0);
            holders.Add(ok[^1] && reader.GetInt64(3) >= HoldersSchema);
        }
        return new SnapshotTimeline([.. times], [.. ok], [.. lims], [.. holders]);
    }

    private static readonly IpcLimits NoLimits = new();

    /// <summary>Collectors of schema 2 on record every owner's oldest live process with the processes step.</summary>
    private const int HoldersSchema = 2;

    private static Dictionary<long, IpcLimits> LoadLimitSets(DbConnection connection)
    {
        using var command = Command(connection, HistorySql.LimitSets);
        using var reader = command.ExecuteReader();
        var sets = new Dictionary<long, IpcLimits>();
        while (reader.Read())
        {
            ulong? U(int i) => reader.IsDBNull(i) ? null : ulong.Parse(reader.GetString(i), CultureInfo.InvariantCulture);
            sets[reader.GetInt64(0)] = new IpcLimits
            {
                Shmmax = U(1), Shmall = U(2), Shmmni = U(3), ShmRmidForced = U(4), Semmsl = U(5), Semmns = U(6),
                Semopm = U(7), Semmni = U(8), Msgmax = U(9), Msgmnb = U(10), Msgmni = U(11),
            };
        }
        return sets;
    }

    private static ProcessSpans LoadProcesses(DbConnection connection, long context)
    {
        using var command = Command(connection, HistorySql.Processes);
        Dialect.Set(command, "$context", context);
        using var reader = command.ExecuteReader();
        var spans = new List<ProcessSpan>();
        while (reader.Read())
            spans.Add(new ProcessSpan(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), NullableLong(reader, 3) ?? long.MaxValue,
                NullableString(reader, 4), NullableString(reader, 5))
            {
                Uid = (uint?)NullableLong(reader, 6), StartTicks = NullableLong(reader, 7),
                Ppid = (int?)NullableLong(reader, 8), ParentStartTicks = NullableLong(reader, 9),
                Details = ProcessDetails.Read(reader, 10),
            });
        return new ProcessSpans(spans);
    }

    private static DbCommand Command(DbConnection connection, string sql) => Dialect.Command(connection, sql);

    private static long? NullableLong(DbDataReader r, int i) => StateQuery.N(r, i);
    private static string? NullableString(DbDataReader r, int i) => StateQuery.S(r, i);

    private static T Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (SqliteException e) { throw IpcAuditDatabase.Translate(e, path); }
        catch (NpgsqlException e) { throw ServerDatabase.Translate(e, path); }
    }
}
