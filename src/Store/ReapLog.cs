using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>One removal `reap` attempted, as the log keeps it.</summary>
public sealed record ReapLogEntry
{
    public required DateTimeOffset At { get; init; }
    public required uint ByUid { get; init; }
    public required string SnapshotUid { get; init; }
    public required string Host { get; init; }
    public required string Kind { get; init; }
    public required int Id { get; init; }
    public required uint Key { get; init; }
    /// <summary>Unix seconds; null when the snapshot had none.</summary>
    public long? Ctime { get; init; }
    public required uint Owner { get; init; }
    public required ulong Bytes { get; init; }
    public required long AgeSeconds { get; init; }
    public required IReadOnlyList<string> Evidence { get; init; }
    /// <summary>"removed" | "skipped" | "failed".</summary>
    public required string Outcome { get; init; }
    public string? Reason { get; init; }
}

/// <summary>The reap log: every removal and skip, written as it happens, listed by `reap --log`.</summary>
public static class ReapLog
{
    public const string Removed = "removed", Skipped = "skipped", Failed = "failed";

    /// <summary>One row in its own transaction, so the log survives a crash of the rest of the run.</summary>
    public static void Record(SqliteConnection connection, ReapLogEntry e)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ReapSql.Insert;
        command.Parameters.AddWithValue("$at", e.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$by", (long)e.ByUid);
        command.Parameters.AddWithValue("$snapshot", e.SnapshotUid);
        command.Parameters.AddWithValue("$host", e.Host);
        command.Parameters.AddWithValue("$kind", e.Kind);
        command.Parameters.AddWithValue("$id", e.Id);
        command.Parameters.AddWithValue("$key", (long)e.Key);
        command.Parameters.AddWithValue("$ctime", (object?)e.Ctime ?? DBNull.Value);
        command.Parameters.AddWithValue("$owner", (long)e.Owner);
        // Bytes above 2^63 cannot be an IPC object's size; clamp rather than wrap negative.
        command.Parameters.AddWithValue("$bytes", (long)Math.Min(e.Bytes, long.MaxValue));
        command.Parameters.AddWithValue("$age", e.AgeSeconds);
        command.Parameters.AddWithValue("$evidence", CompactJson.Strings(e.Evidence) ?? "[]");
        command.Parameters.AddWithValue("$outcome", e.Outcome);
        command.Parameters.AddWithValue("$reason", (object?)e.Reason ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    public static IReadOnlyList<ReapLogEntry> Since(SqliteConnection connection, DateTimeOffset since)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ReapSql.Since;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        using var r = command.ExecuteReader();
        var entries = new List<ReapLogEntry>();
        while (r.Read())
            entries.Add(new ReapLogEntry
            {
                At = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), ByUid = (uint)r.GetInt64(1), Host = r.GetString(2),
                Kind = r.GetString(3), Id = r.GetInt32(4), Key = (uint)r.GetInt64(5), Ctime = r.IsDBNull(6) ? null : r.GetInt64(6),
                Owner = (uint)r.GetInt64(7), Bytes = (ulong)r.GetInt64(8), AgeSeconds = r.GetInt64(9),
                Evidence = CompactJson.ParseStrings(r.GetString(10)),
                Outcome = r.GetString(11), Reason = r.IsDBNull(12) ? null : r.GetString(12), SnapshotUid = r.GetString(13),
            });
        return entries;
    }

    /// <summary>The snapshot's uid and context, for the log and for judging only that context's objects.</summary>
    public static (string SnapshotUid, long ContextId) SnapshotOf(SqliteConnection connection, long snapshotId)
    {
        using var uid = connection.CreateCommand();
        uid.CommandText = ReapSql.SnapshotUid;
        uid.Parameters.AddWithValue("$id", snapshotId);
        using var context = connection.CreateCommand();
        context.CommandText = ReapSql.ContextOf;
        context.Parameters.AddWithValue("$id", snapshotId);
        return ((string)uid.ExecuteScalar()!, (long)context.ExecuteScalar()!);
    }

    /// <summary>Object ids reap removed, for the report's churn.</summary>
    public static HashSet<long> RemovedObjects(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ReapSql.RemovedObjects;
        using var r = command.ExecuteReader();
        var ids = new HashSet<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }
}
