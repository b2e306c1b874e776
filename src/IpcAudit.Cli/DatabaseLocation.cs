namespace IpcAudit.Cli;

/// <summary>
/// Where the database lives when --db is not given: IPCAUDIT_DB, else /var/lib/ipcaudit for root
/// (like sysstat's /var/log/sa), else the XDG state directory.
/// </summary>
public static class DatabaseLocation
{
    public static string Default(Func<string, string?>? env = null, bool? isRoot = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (env("IPCAUDIT_DB") is { Length: > 0 } overridden) return overridden;
        if (isRoot ?? Environment.IsPrivilegedProcess) return "/var/lib/ipcaudit/ipcaudit.db";
        var state = env("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "ipcaudit", "ipcaudit.db");
    }

    public static string Resolve(string? db) => string.IsNullOrEmpty(db) ? Default() : db;

    /// <summary>
    /// For the read commands (report, show, snapshots, diff): --db, else IPCAUDIT_DB, else the central server
    /// of IPCAUDIT_SERVER (README: Fleet), else the default file.
    /// </summary>
    public static string ResolveForRead(string? db, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrEmpty(db) || env("IPCAUDIT_DB") is { Length: > 0 }) return Resolve(db);
        return env("IPCAUDIT_SERVER") is { Length: > 0 } server ? server : Default(env);
    }
}
