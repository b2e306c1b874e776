using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Collector.Storage;

/// <summary>
/// One prepared, parameterized statement reused for many rows: parameters are created once, in
/// the order their $names first appear in the SQL, and bound by position.
/// </summary>
internal sealed partial class Statement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public Statement(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _command.Transaction = transaction;
        var names = ParameterName().Matches(sql).Select(m => m.Value).Distinct().ToArray();
        _parameters = names.Select(n => _command.Parameters.Add(n, SqliteType.Integer)).ToArray();
        foreach (var p in _parameters) p.Value = DBNull.Value;
    }

    public Statement Bind(params ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters.Length)
            throw new ArgumentException($"statement takes {_parameters.Length} values, got {values.Length}: {_command.CommandText}");
        for (var i = 0; i < values.Length; i++)
        {
            var p = _parameters[i];
            (p.SqliteType, p.Value) = values[i] switch
            {
                null => (SqliteType.Integer, DBNull.Value),
                string s => (SqliteType.Text, s),
                double d => (SqliteType.Real, d),
                bool b => (SqliteType.Integer, b ? 1L : 0L),
                ulong u => (SqliteType.Integer, checked((long)u)),
                var v => (SqliteType.Integer, (object)Convert.ToInt64(v)),
            };
        }
        return this;
    }

    public int Run() => _command.ExecuteNonQuery();

    public long Scalar() => Convert.ToInt64(_command.ExecuteScalar());

    public long? ScalarOrNull() => _command.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v) : null;

    public SqliteDataReader Query() => _command.ExecuteReader();

    public void Dispose() => _command.Dispose();

    [GeneratedRegex(@"\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}
