using System.Globalization;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /etc/passwd: "name:password:uid:gid:gecos:home:shell" lines. Read directly, not through NSS, so
/// the names are those of the collected host (or a saved copy), not of whoever reads the database.
/// Lines that do not parse (comments, NIS "+" entries, a missing uid) are skipped; the first entry
/// for a name wins, as getpwnam does.
/// </summary>
public static class PasswdFile
{
    public static IReadOnlyDictionary<string, uint> ParseUidsByName(string text)
    {
        var uids = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length < 3 || fields[0].Length == 0 || fields[0][0] is '#' or '+' or '-') continue;
            if (uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                uids.TryAdd(fields[0], uid);
        }
        return uids;
    }

    /// <summary>
    /// id → name from "name:password:id:..." lines (field 3 is the uid in passwd, the gid in group); the
    /// first entry for an id wins, as getpwuid and getgrgid do.
    /// </summary>
    public static IReadOnlyDictionary<uint, string> ParseNamesById(string text)
    {
        var names = new Dictionary<uint, string>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            if (fields.Length < 3 || fields[0].Length == 0 || fields[0][0] is '#' or '+' or '-') continue;
            if (uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                names.TryAdd(id, fields[0]);
        }
        return names;
    }

    /// <summary>The uid of <paramref name="name"/> in <paramref name="path"/>; null when the file has no such user.</summary>
    public static uint? UidOf(string path, string name) =>
        ParseUidsByName(File.ReadAllText(path)).TryGetValue(name, out var uid) ? uid : null;
}
