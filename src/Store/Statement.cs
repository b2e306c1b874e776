using System.Data;
using System.Data.Common;

namespace IpcAudit.Store;

/// <summary>
/// One prepared, parameterized statement reused for many rows: parameters are created once, in
/// the order their $names first appear in the SQL, and bound by position. Either engine: the SQL is
/// written once with SQLite's $name markers and <see cref="Dialect"/> adapts it for PostgreSQL.
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly bool _server;

    public Statement(DbConnection connection, DbTransaction? transaction, string sql)
    {
        _server = Dialect.IsServer(connection);
        _command = connection.CreateCommand();
        _command.CommandText = _server ? Dialect.ServerParameters(sql) : sql;
        _command.Transaction = transaction;
        var names = ParameterNames(sql);
        _parameters = new DbParameter[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var p = _command.CreateParameter();
            p.ParameterName = _server ? names[i][1..] : names[i];
            p.Value = DBNull.Value;
            _command.Parameters.Add(p);
            _parameters[i] = p;
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
            (p.DbType, p.Value) = values[i] is null ? (DbType.Int64, DBNull.Value) : Typed(values[i]!);
            // PostgreSQL types a NULL by its parameter: left untyped, the server takes the column's type.
            if (_server && values[i] is null) p.ResetDbType();
        }
        return this;
    }

    /// <summary>A value as both engines store it: text, real, or a 64-bit integer (booleans 0/1).</summary>
    internal static (DbType, object) Typed(object value) => value switch
    {
        string s => (DbType.String, s),
        double d => (DbType.Double, d),
        bool b => (DbType.Int64, b ? 1L : 0L),
        ulong u => (DbType.Int64, checked((long)u)),
        _ => (DbType.Int64, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    public int Run() => _command.ExecuteNonQuery();

    public long Scalar() => Convert.ToInt64(_command.ExecuteScalar());

    public long? ScalarOrNull() => _command.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v) : null;

    public DbDataReader Query() => _command.ExecuteReader();

    public void Dispose() => _command.Dispose();
}
