using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// One prepared, parameterized statement reused for many rows: parameters are created once, in
/// the order their $names first appear in the SQL, and bound by position.
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public Statement(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _command.Transaction = transaction;
        var names = ParameterNames(sql);
        _parameters = new SqliteParameter[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            _parameters[i] = _command.Parameters.Add(names[i], SqliteType.Integer);
            _parameters[i].Value = DBNull.Value;
        }
    }

    /// <summary>
    /// The distinct <c>$name</c>s of <paramref name="sql"/> in order of first appearance. A plain scan, not a
    /// Regex: the collector starts every minute, and initializing Regex is start-up work it does not need.
    /// </summary>
    internal static List<string> ParameterNames(string sql)
    {
        var names = new List<string>();
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] != '$' || i + 1 >= sql.Length || !(char.IsAsciiLetter(sql[i + 1]) || sql[i + 1] == '_')) continue;
            var end = i + 2;
            while (end < sql.Length && (char.IsAsciiLetterOrDigit(sql[end]) || sql[end] == '_')) end++;
            var name = sql[i..end];
            if (!names.Contains(name)) names.Add(name);
            i = end - 1;
        }
        return names;
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
}
