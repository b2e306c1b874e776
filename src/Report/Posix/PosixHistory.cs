using IpcAudit.Collector.Model;
using IpcAudit.Report.History;
using IpcAudit.Store;
using System.Data.Common;

namespace IpcAudit.Report.Posix;

/// <summary>One stored state of a POSIX object: [From, To) in snapshot times, To = long.MaxValue while current.</summary>
public sealed record PosixState(long From, long To, uint Uid, int Mode, long? Bytes, long? AllocatedBytes, long? Value,
    bool Deleted, long? Messages, long? MaxMessages, int? NotifyPid, int[]? MappedPids, int[]? OpenPids);

/// <summary>A POSIX object of one context with every state it had up to the window's end.</summary>
public sealed record PosixObject(long ObjectId, string Kind, string Name, long FirstSeen, long? RemovedAt, IReadOnlyList<PosixState> States)
{
    public bool PresentAt(long at) => FirstSeen <= at && (RemovedAt is not { } r || r > at);
    public PosixState? StateAt(long at) => States.LastOrDefault(s => s.From <= at && at < s.To);
}

/// <summary>Per-snapshot POSIX usage and limits (schema 8's posix_snapshot).</summary>
public sealed record PosixLevel(long At, long? DevshmBytes, long? DevshmUsedBytes, long? MqQueues, long? MqQueuesMax);

/// <summary>Reads the POSIX tables of a read-only database; a database from before schema 8 has none, and reads as empty.</summary>
public sealed class PosixHistory(DbConnection connection)
{
    private bool? _present;

    public bool Present => _present ??= HasTable();

    private bool HasTable() => Dialect.HasTable(connection, "posix_objects");

    private const string ObjectsSql = """
        SELECT o.posix_object_id, o.kind, o.name, o.first_seen, o.removed_at,
               s.valid_from, s.valid_to, s.uid, s.mode, s.bytes, s.allocated_bytes, s.value, s.deleted, s.messages, s.max_messages,
               s.notify_pid, s.mapped_pids, s.open_pids
        FROM posix_objects o JOIN posix_states s ON s.posix_object_id = o.posix_object_id
        WHERE o.context_id = $context AND o.first_seen <= $to AND (o.removed_at IS NULL OR o.removed_at > $from) AND s.valid_from <= $to
        ORDER BY o.posix_object_id, s.valid_from
        """;

    private const string LevelsSql = """
        SELECT s.taken_at, p.devshm_bytes, p.devshm_used_bytes, p.mq_queues, p.mq_queues_max
        FROM posix_snapshot p JOIN snapshots s ON s.snapshot_id = p.snapshot_id
        WHERE s.context_id = $context AND s.taken_at BETWEEN $from AND $to ORDER BY s.taken_at
        """;

    /// <summary>The objects of <paramref name="context"/> that overlap its window, each with its states.</summary>
    public IReadOnlyList<PosixObject> Objects(ContextWindow context)
    {
        var result = new List<PosixObject>();
        if (!Present) return result;
        using var command = InWindow(ObjectsSql, context);
        using var r = command.ExecuteReader();
        List<PosixState>? states = null;
        long current = -1;
        (string Kind, string Name, long FirstSeen, long? Removed) head = ("", "", 0, null);
        while (r.Read())
        {
            var id = r.GetInt64(0);
            if (id != current)
            {
                if (states is not null) result.Add(new PosixObject(current, head.Kind, head.Name, head.FirstSeen, head.Removed, states));
                (current, states) = (id, []);
                head = (r.GetString(1), r.GetString(2), r.GetInt64(3), StateQuery.N(r, 4));
            }
            states!.Add(new PosixState(r.GetInt64(5), StateQuery.N(r, 6) ?? long.MaxValue, (uint)r.GetInt64(7), (int)r.GetInt64(8),
                StateQuery.N(r, 9), StateQuery.N(r, 10), StateQuery.N(r, 11), r.GetInt64(12) != 0, StateQuery.N(r, 13), StateQuery.N(r, 14),
                (int?)StateQuery.N(r, 15), PidsOrNull(StateQuery.S(r, 16)), PidsOrNull(StateQuery.S(r, 17))));
        }
        if (states is not null) result.Add(new PosixObject(current, head.Kind, head.Name, head.FirstSeen, head.Removed, states));
        return result;
    }

    public IReadOnlyList<PosixLevel> Levels(ContextWindow context)
    {
        var result = new List<PosixLevel>();
        if (!Present) return result;
        using var command = InWindow(LevelsSql, context);
        using var r = command.ExecuteReader();
        while (r.Read())
            result.Add(new PosixLevel(r.GetInt64(0), StateQuery.N(r, 1), StateQuery.N(r, 2), StateQuery.N(r, 3), StateQuery.N(r, 4)));
        return result;
    }

    /// <summary>A statement over one context's window ($context, $from, $to).</summary>
    private DbCommand InWindow(string sql, ContextWindow context)
    {
        var command = Dialect.Command(connection, sql);
        Dialect.Set(command, "$context", context.ContextId);
        Dialect.Set(command, "$from", context.WindowStart);
        Dialect.Set(command, "$to", context.WindowEnd);
        return command;
    }

    /// <summary>NULL is unknown, "[]" is none.</summary>
    private static int[]? PidsOrNull(string? json) => json is null ? null : StoredLists.Pids(json);

    /// <summary>Where the object's file is, for the removal command and the reason.</summary>
    public static string PathOf(string kind, string name) => PosixKinds.PathOf(kind, name);
}
