using Microsoft.Data.Sqlite;

namespace IpcAudit.Tests.Support;

/// <summary>What a query over a stored database returns, read-only, nulls as null: what a user would check with sqlite3.</summary>
public static class StoredRows
{
    public static List<object?[]> Of(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = sql;
        using var r = q.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
