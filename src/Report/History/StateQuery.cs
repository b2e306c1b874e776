using System.Data.Common;

namespace IpcAudit.Report.History;

/// <summary>How one kind's full states are read: one object's newest first, or a context's objects at one time.</summary>
public sealed class StateQuery<T>(string kind, string columns, Func<DbDataReader, T> read) where T : struct, IObjectState
{
    internal string Kind { get; } = kind;
    internal string NewestFirst { get; } = HistorySql.NewestFirstOf(kind, columns);
    internal string StatesAt { get; } = HistorySql.StatesAt(kind, columns, server: false);
    internal string LastStates { get; } = HistorySql.LastStates(kind, columns, server: false);
    internal string ServerStatesAt { get; } = HistorySql.StatesAt(kind, columns, server: true);
    internal string ServerLastStates { get; } = HistorySql.LastStates(kind, columns, server: true);
    internal string NewestFirstOfMany { get; } = HistorySql.NewestFirstOfMany(kind, columns);
    internal Func<DbDataReader, T> Read { get; } = read;
    /// <summary>The column after the state's own in <see cref="StatesAt"/> and <see cref="LastStates"/>: the object id.</summary>
    internal int ObjectIdColumn { get; } = columns.Split(", ").Length;
}

public static class StateQuery
{
    // Columns of HistorySql's *NewestFirst: valid_from, valid_to, key, mode, uid, cuid, then the kind's own.
    public static readonly StateQuery<ShmState> Shm = new("shm", HistorySql.ShmColumns, r => new ShmState(
        r.GetInt64(0), N(r, 1) ?? long.MaxValue, (uint)r.GetInt64(2), r.GetInt32(3), (uint)r.GetInt64(4), (uint)r.GetInt64(5),
        (ulong)r.GetInt64(6), r.GetInt64(7), r.GetInt32(8), r.GetInt32(9), N(r, 10), N(r, 11), N(r, 12), S(r, 13)));

    public static readonly StateQuery<SemState> Sem = new("sem", HistorySql.SemColumns, r => new SemState(
        r.GetInt64(0), N(r, 1) ?? long.MaxValue, (uint)r.GetInt64(2), r.GetInt32(3), (uint)r.GetInt64(4), (uint)r.GetInt64(5),
        r.GetInt32(6), N(r, 7), N(r, 8), S(r, 9)));

    public static readonly StateQuery<MsgState> Msg = new("msg", HistorySql.MsgColumns, r => new MsgState(
        r.GetInt64(0), N(r, 1) ?? long.MaxValue, (uint)r.GetInt64(2), r.GetInt32(3), (uint)r.GetInt64(4), (uint)r.GetInt64(5),
        (ulong)r.GetInt64(6), (ulong)r.GetInt64(7), (ulong?)N(r, 8), r.GetInt32(9), r.GetInt32(10), N(r, 11), N(r, 12), N(r, 13)));

    internal static long? N(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
    internal static string? S(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
