using IpcAudit.Collector.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// Writes what attribution needs beyond the process rows: the pids found already gone when first
/// named (short-lived operators), and account names where they changed.
/// </summary>
internal sealed class AttributionWriter(SqliteConnection connection, SqliteTransaction transaction)
{
    /// <summary>Every pid the snapshot read and found gone (the reader is asked only about pids objects name).</summary>
    public void WriteGone(IReadOnlyList<ProcessInfo> processes, long context, long at)
    {
        using var insert = new Statement(connection, transaction, AttributionSql.InsertGone);
        foreach (var p in processes)
            if (!p.Alive) insert.Bind(context, p.Pid, at, p.Comm, p.Cgroup?.Unit).Run();
    }

    /// <summary>A row only where the name differs from the one last stored for that id in this context.</summary>
    public void WriteNames(IReadOnlyList<AccountName> names, long context, long at)
    {
        if (names.Count == 0) return;
        using var latest = new Statement(connection, transaction, AttributionSql.LatestName);
        using var insert = new Statement(connection, transaction, AttributionSql.InsertName);
        foreach (var n in names)
        {
            using (var r = latest.Bind(context, n.Kind, n.Id).Query())
                if (r.Read() && (r.IsDBNull(0) ? null : r.GetString(0)) == n.Name) continue;
            insert.Bind(context, n.Kind, n.Id, at, n.Name).Run();
        }
    }
}
