using System.Data.Common;
using System.Text;
using Npgsql;

namespace IpcAudit.Store;

/// <summary>
/// Where SQLite and PostgreSQL differ for the statements both engines run. The statements are written
/// once, in SQLite's spelling; what differs is kept here, per engine, and nowhere else.
/// </summary>
public static class Dialect
{
    public static bool IsServer(DbConnection connection) => connection is NpgsqlConnection;

    /// <summary>
    /// SQLite's <c>$name</c> markers as Npgsql's <c>@name</c> (PostgreSQL's own <c>$1</c> is positional).
    /// Markers inside string literals are left alone.
    /// </summary>
    public static string ServerParameters(string sql) => RewriteMarkers(sql, name => "@" + name[1..]);

    /// <summary>
    /// SQLite's <c>$name</c> markers as PostgreSQL's positional <c>$1</c>, <c>$2</c>… in the order the names
    /// first appear (the order <see cref="Statement"/> binds), and how many there are.
    /// </summary>
    public static (string Sql, int Parameters) ServerPositional(string sql)
    {
        var names = Statement.ParameterNames(sql);
        return (RewriteMarkers(sql, name => "$" + (names.IndexOf(name) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), names.Count);
    }

    /// <summary>Each <c>$name</c> marker outside string literals replaced by what <paramref name="marker"/> makes of it.</summary>
    private static string RewriteMarkers(string sql, Func<string, string> marker)
    {
        var text = new StringBuilder(sql.Length);
        var quoted = false;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c == '\'') quoted = !quoted;
            if (!quoted && c == '$' && i + 1 < sql.Length && (char.IsAsciiLetter(sql[i + 1]) || sql[i + 1] == '_'))
            {
                var end = i + 2;
                while (end < sql.Length && (char.IsAsciiLetterOrDigit(sql[end]) || sql[end] == '_')) end++;
                text.Append(marker(sql[i..end]));
                i = end - 1;
                continue;
            }
            text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>A command for <paramref name="sql"/> written with SQLite's $name markers, on either engine.</summary>
    public static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = IsServer(connection) ? ServerParameters(sql) : sql;
        return command;
    }

    /// <summary>Sets (or adds) the integer parameter <paramref name="name"/> ("$context") of a <see cref="Command"/>.</summary>
    public static void Set(DbCommand command, string name, long value)
    {
        var key = command is NpgsqlCommand ? name[1..] : name;
        if (command.Parameters.Contains(key))
        {
            command.Parameters[key].Value = value;
            return;
        }
        var p = command.CreateParameter();
        p.ParameterName = key;
        p.DbType = System.Data.DbType.Int64;
        p.Value = value;
        command.Parameters.Add(p);
    }

    /// <summary>Column names of a table, in order: what a copy between the engines carries.</summary>
    /// <summary>A text parameter, named as in the statement ($name), on either engine.</summary>
    public static void Set(DbCommand command, string name, string value)
    {
        var p = command.CreateParameter();
        p.ParameterName = command is NpgsqlCommand ? name[1..] : name;
        p.DbType = System.Data.DbType.String;
        p.Value = value;
        command.Parameters.Add(p);
    }

    /// <summary>Whether the database has <paramref name="table"/> (in the current schema on a server).</summary>
    public static bool HasTable(DbConnection connection, string table)
    {
        using var command = Command(connection, IsServer(connection)
            ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $t"
            : "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $t");
        Set(command, "$t", table);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public static string ColumnsQuery(DbConnection connection, string table) => IsServer(connection)
        ? $"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
        : $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
}
