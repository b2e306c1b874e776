using System.Buffers.Text;
using System.Text;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /proc/PID/maps, reduced to the System V shm mappings:
/// <c>7f12c4a00000-7f12c4a01000 rw-s 00000000 00:01 32769  /SYSV0000002a (deleted)</c>.
/// The inode column is the shmid; the name keeps the key the segment was created with (even after
/// IPC_RMID, when /proc/sysvipc/shm already shows key 0); "(deleted)" is always there and means nothing.
/// </summary>
public static class ProcessMapsFile
{
    /// <summary>The shmids mapped, distinct, in the order they first appear.</summary>
    public static IReadOnlyList<int> Parse(string text, string fileName)
    {
        var shmids = new List<int>();
        Collect(Encoding.UTF8.GetBytes(text), fileName, shmids);
        return shmids;
    }

    /// <summary>Null when the process (or its maps) is gone.</summary>
    public static IReadOnlyList<int>? Read(ProcRoot root, int pid)
    {
        var buffer = new byte[4096];
        int length;
        try { length = ProcFile.Read(root.PathOf($"{pid}/maps"), ref buffer); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var shmids = new List<int>();
        Collect(buffer.AsSpan(0, length), $"{pid}/maps", shmids);
        return shmids;
    }

    /// <summary>Adds the shmids mapped in <paramref name="maps"/> that <paramref name="shmids"/> does not hold yet.</summary>
    internal static void Collect(ReadOnlySpan<byte> maps, string fileName, List<int> shmids)
    {
        var from = 0;
        int hit;
        // Only lines naming /SYSV are split; a process maps hundreds of libraries and few segments.
        while ((hit = maps[from..].IndexOf("/SYSV"u8)) >= 0)
        {
            hit += from;
            var lineStart = maps[..hit].LastIndexOf((byte)'\n') + 1;
            var lineLength = maps[hit..].IndexOf((byte)'\n');
            var lineEnd = lineLength < 0 ? maps.Length : hit + lineLength;
            if (ParseLine(maps[lineStart..lineEnd], out var shmid, out var badInode))
            {
                if (!shmids.Contains(shmid)) shmids.Add(shmid);
            }
            else if (badInode)
            {
                var lineNumber = maps[..lineStart].Count((byte)'\n') + 1;
                throw new ProcFormatException(fileName, lineNumber, "inode",
                    $"not a number: '{Encoding.UTF8.GetString(Field(maps[lineStart..lineEnd], 4, out _))}'");
            }
            from = lineEnd;
        }
    }

    /// <summary>True for a shared mapping of /SYSVxxxxxxxx; badInode when such a line has no numeric inode.</summary>
    private static bool ParseLine(ReadOnlySpan<byte> line, out int shmid, out bool badInode)
    {
        shmid = 0;
        badInode = false;
        var perms = Field(line, 1, out _);
        if (perms.Length != 4 || perms[3] != (byte)'s') return false;
        var inode = Field(line, 4, out var afterInode);
        var path = line[afterInode..].TrimStart((byte)' ');
        if (!IsSysvName(path)) return false;
        badInode = !Utf8Parser.TryParse(inode, out shmid, out var used) || used != inode.Length || shmid < 0;
        return !badInode;
    }

    /// <summary>"/SYSV" + 8 hex digits, then the end or " (deleted)".</summary>
    private static bool IsSysvName(ReadOnlySpan<byte> path)
    {
        const int nameLength = 5 + 8;
        if (path.Length < nameLength || !path.StartsWith("/SYSV"u8)) return false;
        foreach (var b in path[5..nameLength])
            if (!char.IsAsciiHexDigit((char)b)) return false;
        return path.Length == nameLength || path[nameLength] == (byte)' ';
    }

    /// <summary>The index-th space-separated field; <paramref name="end"/> is where it stops.</summary>
    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> line, int index, out int end)
    {
        var i = 0;
        for (var f = 0; ; f++)
        {
            while (i < line.Length && line[i] == (byte)' ') i++;
            var start = i;
            while (i < line.Length && line[i] != (byte)' ') i++;
            if (f == index || i >= line.Length) { end = i; return f == index ? line[start..i] : default; }
        }
    }
}
