using IpcAudit.Collector;
using Npgsql;

namespace IpcAudit.Store;

/// <summary>
/// Where the central PostgreSQL store is: a libpq/Npgsql key=value string or a postgresql:// URI, from
/// --to/--ship-to/--db, IPCAUDIT_SERVER, or the configuration file (README: Fleet). Passwords come from a
/// passfile (PGPASSFILE, ~/.pgpass; Npgsql reads both) or the 0600 configuration file, never from a command
/// line, where `ps` shows them to every user.
/// </summary>
public static class ServerAddress
{
    /// <summary>The configuration file; IPCAUDIT_CONFIG points elsewhere (tests, a non-root user).</summary>
    public static string ConfigPath => Environment.GetEnvironmentVariable("IPCAUDIT_CONFIG") is { Length: > 0 } p ? p : "/etc/ipcaudit/ipcaudit.conf";

    /// <summary>Whether a --db value names a server rather than a SQLite file.</summary>
    public static bool IsServer(string? text) =>
        text is not null && (text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal)
                             || (text.Contains('=') && (text.Contains("host=", StringComparison.OrdinalIgnoreCase) || text.Contains("database=", StringComparison.OrdinalIgnoreCase))));

    /// <summary>The server to use: the option, else IPCAUDIT_SERVER, else the configuration file's `server =`; null when none.</summary>
    public static string? Configured(string? option)
    {
        if (option is { Length: > 0 }) return Parse(option, commandLine: true);
        if (Environment.GetEnvironmentVariable("IPCAUDIT_SERVER") is { Length: > 0 } env) return Parse(env, commandLine: false);
        return FromConfigFile();
    }

    private static string? FromConfigFile()
    {
        var path = ConfigPath;
        if (!File.Exists(path)) return null;
        if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new IpcAuditException($"{path}: readable by others (it may hold a password): chmod 0600 {path}", ExitCodes.Failure);
        string? server = null, password = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=');
            if (eq < 0) throw new IpcAuditException($"{path}: '{line}' is not `name = value`", ExitCodes.BadInput);
            var (name, value) = (line[..eq].Trim(), line[(eq + 1)..].Trim());
            switch (name)
            {
                case "server": server = value; break;
                case "password": password = value; break;
                default: throw new IpcAuditException($"{path}: unknown setting '{name}' (server, password)", ExitCodes.BadInput);
            }
        }
        if (server is null) return null;
        var builder = new NpgsqlConnectionStringBuilder(Parse(server, commandLine: false));
        if (password is not null) builder.Password = password;
        return builder.ConnectionString;
    }

    /// <summary>A connection string from either spelling; a password on the command line is refused.</summary>
    public static string Parse(string text, bool commandLine)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal)
                ? FromUri(text)
                : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or KeyNotFoundException)
        {
            throw new IpcAuditException($"the server is not a PostgreSQL connection string or postgresql:// URI: {e.Message}", ExitCodes.Usage);
        }
        if (commandLine && !string.IsNullOrEmpty(builder.Password))
            throw new IpcAuditException(
                "a password on the command line is visible to every user (ps): put it in ~/.pgpass (PGPASSFILE) or the configuration file " + ConfigPath,
                ExitCodes.Usage);
        builder.Pooling = false;
        return builder.ConnectionString;
    }

    /// <summary>
    /// postgresql://[user[:password]@][host][:port][/database][?key=value&amp;...] (libpq's URI form). Parsed by
    /// hand: System.Uri refuses an empty host, which libpq allows (a unix socket given as ?host=/path).
    /// </summary>
    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        if (rest.IndexOf('?') is var q and >= 0) (rest, query) = (rest[..q], rest[(q + 1)..]);
        var path = "";
        if (rest.IndexOf('/') is var slash and >= 0) (rest, path) = (rest[..slash], rest[(slash + 1)..]);
        var builder = new NpgsqlConnectionStringBuilder();
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var info = rest[..at];
            rest = rest[(at + 1)..];
            var colon = info.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? info : info[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(info[(colon + 1)..]);
        }
        if (rest.LastIndexOf(':') is var portAt and >= 0 && !rest.EndsWith(']'))
        {
            builder.Port = int.Parse(rest[(portAt + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            rest = rest[..portAt];
        }
        if (rest.Length > 0) builder.Host = Uri.UnescapeDataString(rest.Trim('[', ']'));
        if (path.Length > 0) builder.Database = Uri.UnescapeDataString(path);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var (key, value) = eq < 0 ? (pair, "") : (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..]));
            builder[LibpqName(key)] = key == "sslmode" ? SslModeName(value) : value;
        }
        return builder;
    }

    /// <summary>libpq's sslmode values as Npgsql names them (verify-full → VerifyFull).</summary>
    private static string SslModeName(string value) => value switch
    {
        "verify-full" => "VerifyFull",
        "verify-ca" => "VerifyCA",
        _ => value,
    };

    /// <summary>libpq's parameter names where Npgsql spells them otherwise.</summary>
    private static string LibpqName(string key) => key switch
    {
        "sslmode" => "SSL Mode",
        "sslrootcert" => "Root Certificate",
        "sslcert" => "SSL Certificate",
        "sslkey" => "SSL Key",
        "user" => "Username",
        "dbname" => "Database",
        "passfile" => "Passfile",
        "connect_timeout" => "Timeout",
        "application_name" => "Application Name",
        _ => key,
    };

    /// <summary>The server for messages: host, port and database, never a password.</summary>
    public static string Describe(string connectionString)
    {
        if (connectionString.StartsWith("postgresql://", StringComparison.Ordinal) && !connectionString.Contains('@')) return connectionString;
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return $"postgresql://{b.Username}{(b.Username is null ? "" : "@")}{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return "the server";
        }
    }
}
