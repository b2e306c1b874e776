using System.Globalization;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Store;

namespace IpcAudit.Cli;

/// <summary>
/// How `show` and `diff` name a snapshot: its local id, its uid (as `snapshots` prints it, the same in
/// every database it was merged into; any unique prefix of 6 or more characters), or a time meaning
/// the latest snapshot at or before it (local zone when the time has none). Hosts are checked first:
/// a --host that matches nothing names the hosts there are.
/// </summary>
public static class SnapshotChoice
{
    public const int UidPrefix = 6;
    public const string Accepted = "a snapshot id or uid from `ipcaudit snapshots`, or an ISO-8601 time (latest at or before it)";

    /// <summary>The host as stored (matched case-insensitively); null when none was asked for.</summary>
    public static string? Host(SnapshotReader reader, string? host)
    {
        if (host is null) return null;
        return Hosts(reader, [host])[0];
    }

    /// <summary>Each asked-for host as stored; exit 3 naming the database's hosts when one matches none.</summary>
    public static IReadOnlyList<string> Hosts(SnapshotReader reader, IReadOnlyList<string> asked)
    {
        if (asked.Count == 0) return [];
        var known = reader.Hosts();
        var found = new List<string>();
        foreach (var h in asked)
        {
            var match = known.FirstOrDefault(k => string.Equals(k, h, StringComparison.OrdinalIgnoreCase))
                ?? throw new IpcAuditException(
                    $"--host: no snapshots of host '{h}' in {reader.Path}; " + (known.Count == 0 ? "it has no snapshots yet" : $"hosts there: {string.Join(", ", known)}"),
                    ExitCodes.BadInput);
            found.Add(match);
        }
        return found;
    }

    /// <summary>A --namespace that names no stored IPC namespace is exit 3 naming those there are, so a typo cannot pass as "nothing found".</summary>
    public static void CheckNamespace(SnapshotReader reader, string? wanted)
    {
        if (wanted is null || NamespaceNames.Contains(reader.Connection, wanted)) return;
        var known = NamespaceNames.List(reader.Connection);
        throw new IpcAuditException(
            $"--namespace: no IPC namespace '{TerminalText.Clean(wanted)}' in {reader.Path}; " + (known.Count == 0 ? "it has no snapshots yet" : $"namespaces there: {string.Join(", ", known)}"),
            ExitCodes.BadInput);
    }

    /// <summary>The snapshot id, or exit 3 saying what was looked for.</summary>
    public static SnapshotSummary Resolve(SnapshotReader reader, string? text, string? host, TimeZoneInfo zone, string? ipcNamespace = null)
    {
        var all = reader.List(host).Where(s => s.InNamespace(ipcNamespace)).ToList();
        var found = text is null ? all.LastOrDefault() : Find(all, text.Trim(), zone);
        if (found is not null) return found;
        var scope = (host is null ? "" : $" of host {host}") + (ipcNamespace is null ? "" : $" in IPC namespace {TerminalText.Clean(ipcNamespace)}");
        throw new IpcAuditException(text is null
            ? $"{reader.Path}: no snapshots{scope} yet"
            : $"{reader.Path}: no snapshot{scope} matches '{text}' (give {Accepted})", ExitCodes.BadInput);
    }

    private static SnapshotSummary? Find(IReadOnlyList<SnapshotSummary> all, string text, TimeZoneInfo zone)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && all.FirstOrDefault(s => s.SnapshotId == id) is { } byId)
            return byId;
        if (text.Length >= UidPrefix && text.All(char.IsAsciiHexDigit))
        {
            var matches = all.Where(s => s.SnapshotUid.StartsWith(text, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
            if (matches.Count == 2)
                throw new IpcAuditException($"'{text}' is the start of more than one snapshot uid; give more of it", ExitCodes.BadInput);
            if (matches.Count == 1) return matches[0];
        }
        if (TimeArguments.IsIsoTime(text))
        {
            var at = TimeArguments.ParseInstant(text, "snapshot", zone);
            return all.LastOrDefault(s => s.TakenAt <= at);
        }
        if (text.All(char.IsAsciiDigit) || text.All(char.IsAsciiHexDigit)) return null;
        throw new IpcAuditException($"'{text}' is not {Accepted}", ExitCodes.BadInput);
    }

    /// <summary>The first characters of a uid that `snapshots` prints.</summary>
    public static string ShortUid(string uid) => uid.Length > 8 ? uid[..8] : uid;
}
