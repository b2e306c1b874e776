using IpcAudit.Store;
using System.Data.Common;

namespace IpcAudit.Report.History;

/// <summary>A pid found already gone the first time an object named it (a short-lived operator), with what remained.</summary>
public sealed record GoneProcess(int Pid, long SeenAt, string? Comm, string? Unit);

/// <summary>
/// One context's attribution facts beyond process spans: the user and group names its host had at
/// the window's end, and the pids found already gone when first named. Empty for history before schema 6.
/// </summary>
public sealed class ContextAttribution
{
    public static readonly ContextAttribution Empty = new([], [], []);

    private readonly Dictionary<uint, string?> _users;
    private readonly Dictionary<uint, string?> _groups;
    private readonly Dictionary<int, GoneProcess[]> _gone;

    private ContextAttribution(Dictionary<uint, string?> users, Dictionary<uint, string?> groups, Dictionary<int, GoneProcess[]> gone) =>
        (_users, _groups, _gone) = (users, groups, gone);

    /// <summary>The name of <paramref name="uid"/> on its host; null when unknown or the host had none.</summary>
    public string? UserName(uint uid) => _users.GetValueOrDefault(uid);

    public string? GroupName(uint gid) => _groups.GetValueOrDefault(gid);

    /// <summary>The latest record of <paramref name="pid"/> found gone at or after <paramref name="opTime"/> (the operation that named it).</summary>
    public GoneProcess? Gone(int pid, long? opTime)
    {
        if (!_gone.TryGetValue(pid, out var rows)) return null;
        GoneProcess? found = null;
        foreach (var g in rows)
            if (opTime is not { } op || g.SeenAt >= op) { found = g; break; }
        return found;
    }

    public static ContextAttribution Load(DbConnection connection, long context, long at)
    {
        var users = new Dictionary<uint, string?>();
        var groups = new Dictionary<uint, string?>();
        var gone = new Dictionary<int, List<GoneProcess>>();
        using (var command = Dialect.Command(connection, AttributionSql.NamesAt))
        {
            Dialect.Set(command, "$context", context);
            Dialect.Set(command, "$at", at);
            using var r = command.ExecuteReader();
            while (r.Read())
                (r.GetString(0) == "user" ? users : groups)[(uint)r.GetInt64(1)] = r.IsDBNull(2) ? null : r.GetString(2);
        }
        using (var command = Dialect.Command(connection, AttributionSql.GoneProcesses))
        {
            Dialect.Set(command, "$context", context);
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                var g = new GoneProcess(r.GetInt32(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3));
                if (!gone.TryGetValue(g.Pid, out var list)) gone[g.Pid] = list = [];
                list.Add(g);
            }
        }
        return new ContextAttribution(users, groups, gone.ToDictionary(kv => kv.Key, kv => kv.Value.OrderBy(g => g.SeenAt).ToArray()));
    }
}
