using System.Data.Common;
using Npgsql;

namespace IpcAudit.Store;

/// <summary>
/// One statement run for many rows on the copy's destination. On PostgreSQL the rows go in batches of
/// <see cref="Size"/> statements per round trip, with positional parameters (Npgsql rewrites no SQL
/// for them): one round trip per row made a day's backlog take minutes, in the kernel's socket calls
/// as much as in the client. On SQLite, in process, each row runs at once through a prepared statement.
/// A statement that returns an id (RETURNING) hands it to the row's callback, in order, when its batch runs.
/// </summary>
internal sealed class RowBatch : IDisposable
{
    private const int Size = 500;

    private readonly Statement? _local;
    private readonly NpgsqlConnection? _server;
    private readonly NpgsqlTransaction? _transaction;
    private readonly string _sql = "";
    private readonly int _parameters;
    private NpgsqlBatch? _batch;
    private readonly List<Action<long>?> _callbacks = [];

    public RowBatch(DbConnection destination, DbTransaction transaction, string sql)
    {
        if (destination is NpgsqlConnection server)
        {
            (_server, _transaction) = (server, (NpgsqlTransaction)transaction);
            (_sql, _parameters) = Dialect.ServerPositional(sql);
        }
        else _local = new Statement(destination, transaction, sql);
    }

    /// <param name="onId">Given the id the statement returns (its first column); null for a statement that returns none.</param>
    public void Add(ReadOnlySpan<object?> values, Action<long>? onId = null)
    {
        if (_local is not null)
        {
            if (onId is null) _local.Bind(values).Run();
            else onId(_local.Bind(values).Scalar());
            return;
        }
        if (values.Length != _parameters) throw new ArgumentException($"statement takes {_parameters} values, got {values.Length}: {_sql}");
        _batch ??= new NpgsqlBatch(_server, _transaction);
        var command = new NpgsqlBatchCommand(_sql);
        foreach (var value in values)
        {
            // PostgreSQL types a NULL by its parameter: left untyped, the server takes the column's type.
            var p = new NpgsqlParameter();
            if (value is null) p.Value = DBNull.Value;
            else (p.DbType, p.Value) = Statement.Typed(value);
            command.Parameters.Add(p);
        }
        _batch.BatchCommands.Add(command);
        _callbacks.Add(onId);
        if (_callbacks.Count >= Size) Flush();
    }

    /// <summary>Runs the rows added since the last flush; every row is written when this returns.</summary>
    public void Flush()
    {
        if (_batch is null || _callbacks.Count == 0) return;
        if (_callbacks[0] is null) _batch.ExecuteNonQuery();
        else
        {
            using var r = _batch.ExecuteReader();
            foreach (var onId in _callbacks)
            {
                if (!r.Read()) throw new InvalidOperationException($"no id returned by {_sql}");
                onId!(r.GetInt64(0));
                r.NextResult();
            }
        }
        _batch.Dispose();
        _batch = null;
        _callbacks.Clear();
    }

    public void Dispose()
    {
        _local?.Dispose();
        _batch?.Dispose();
    }
}
