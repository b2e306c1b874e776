using System.Globalization;
using System.Data.Common;

namespace IpcAudit.Store;

/// <summary>The IPC namespaces a database holds, as `--namespace` may name them: label (schema 7) or inode.</summary>
public static class NamespaceNames
{
    private const string Sql = "SELECT DISTINCT ipc_namespace, namespace_label FROM contexts ORDER BY ipc_namespace";

    /// <summary>"label (inode)" or "ipc:inode" per namespace, for the message when a --namespace matches none.</summary>
    public static IReadOnlyList<string> List(DbConnection connection)
    {
        using var command = Dialect.Command(connection, Sql);
        using var r = command.ExecuteReader();
        var names = new List<string>();
        while (r.Read())
        {
            var inode = r.IsDBNull(0) ? "unknown" : r.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            names.Add(r.IsDBNull(1) ? $"ipc:{inode}" : $"{r.GetString(1)} ({inode})");
        }
        return [.. names.Distinct()];
    }

    /// <summary>Whether <paramref name="wanted"/> names this namespace: its label (case-insensitive), its inode, ipc:INODE, or "host" for the initial one.</summary>
    public static bool Matches(long? inode, string? label, string wanted)
    {
        if (string.Equals(label, wanted, StringComparison.OrdinalIgnoreCase)) return true;
        if (inode is not { } n) return false;
        var text = n.ToString(CultureInfo.InvariantCulture);
        return wanted == text || wanted == "ipc:" + text || wanted == "host" && n == InitialNamespace;
    }

    /// <summary>PROC_IPC_INIT_INO: the initial IPC namespace.</summary>
    private const long InitialNamespace = 4026531839;

    /// <summary>Whether <paramref name="wanted"/> names a stored namespace: its label (case-insensitive), its inode, or ipc:INODE.</summary>
    public static bool Contains(DbConnection connection, string wanted)
    {
        using var command = Dialect.Command(connection, """
            SELECT EXISTS (SELECT 1 FROM contexts
                           WHERE lower(namespace_label) = lower($w) OR CAST(ipc_namespace AS TEXT) = $w OR 'ipc:' || ipc_namespace = $w
                              OR ($w = 'host' AND ipc_namespace = 4026531839))
            """);
        Dialect.Set(command, "$w", wanted);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
    }
}
