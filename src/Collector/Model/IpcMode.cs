namespace IpcAudit.Collector.Model;

/// <summary>Mode word bits. C# has no octal literals: 01000 would be decimal, so these are hex.</summary>
public static class IpcMode
{
    public const int PermissionMask = 0x1FF; // 0777
    public const int ShmDest = 0x200;        // 01000
    public const int ShmLocked = 0x400;      // 02000

    public static bool IsDest(int mode) => (mode & ShmDest) != 0;
    public static bool IsLocked(int mode) => (mode & ShmLocked) != 0;

    /// <summary>Permissions as ipcs prints them: mode &amp; 0777, four octal digits ("0666").</summary>
    public static string Perms(int mode) => Convert.ToString(mode & PermissionMask, 8).PadLeft(4, '0');

    /// <summary>The /proc perms column is octal text including the dest/locked bits ("1666").</summary>
    public static int ParseOctal(ReadOnlySpan<char> text) => Convert.ToInt32(text.ToString(), 8);

    public static IReadOnlyList<string> ShmStatus(int mode)
    {
        if (!IsDest(mode) && !IsLocked(mode)) return [];
        var s = new List<string>(2);
        if (IsDest(mode)) s.Add("dest");
        if (IsLocked(mode)) s.Add("locked");
        return s;
    }

    /// <summary>Keys print like ipcs: 0x%08x.</summary>
    public static string FormatKey(uint key) => "0x" + key.ToString("x8");
}
