using System.Globalization;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /etc/login.defs (shadow-utils): SYS_UID_MAX, the highest uid of a system account. systemd-logind's
/// RemoveIPC=yes never removes the objects of a system uid, so the report needs it to tell its
/// signature from other removals. Read as shadow's getdef does: "NAME value" lines, '#' comments,
/// the last definition wins, numbers in C notation (decimal, 0x hex, leading-0 octal).
/// Not /proc: a value that is absent or does not parse is unknown (null), never a failed snapshot.
/// </summary>
public static class LoginDefsFile
{
    public const string SysUidMaxName = "SYS_UID_MAX";

    public static uint? ReadSysUidMax(string path)
    {
        try { return ParseSysUidMax(File.ReadAllText(path)); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static uint? ParseSysUidMax(string text)
    {
        uint? found = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            var space = line.IndexOfAny(' ', '\t');
            if (space < 0 || !line[..space].SequenceEqual(SysUidMaxName)) continue;
            found = ParseNumber(line[space..].Trim().Trim('"'));
        }
        return found;
    }

    private static uint? ParseNumber(ReadOnlySpan<char> v)
    {
        var inv = CultureInfo.InvariantCulture;
        if (v.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(v[2..], NumberStyles.AllowHexSpecifier, inv, out var hex) ? hex : null;
        if (v.Length > 1 && v[0] == '0')
        {
            uint octal = 0;
            foreach (var c in v[1..])
            {
                if (c is < '0' or > '7' || octal > uint.MaxValue / 8) return null;
                octal = octal * 8 + (uint)(c - '0');
            }
            return octal;
        }
        return uint.TryParse(v, NumberStyles.None, inv, out var dec) ? dec : null;
    }
}
