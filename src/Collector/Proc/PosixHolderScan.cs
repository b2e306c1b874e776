using System.Buffers.Text;
using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// Who holds which POSIX object, found during the one pass over processes that the System V attachment
/// scan makes: /proc/PID/maps lines of files under /dev/shm (matched by device and inode, because
/// sem_open maps a temporary file it then renames, so the name in maps is not the semaphore's), and
/// /proc/PID/fd links to /dev/shm/NAME or, for a message queue, "/NAME" (the kernel's internal mqueue
/// mount), matched by stat on the link. A mapping of an unlinked file is kept as a deleted object.
/// </summary>
public sealed class PosixHolderScan(ProcRoot proc, IReadOnlySet<(ulong Device, ulong Inode)> known, ulong? mqueueDevice)
{
    private readonly Dictionary<(ulong, ulong), SortedSet<int>> _mapped = [];
    private readonly Dictionary<(ulong, ulong), SortedSet<int>> _open = [];

    /// <summary>Files under /dev/shm mapped but no longer listed: (device, inode) → name and one mapping's path for stat.</summary>
    public Dictionary<(ulong Device, ulong Inode), (string Name, string MapFile)> Deleted { get; } = [];
    public int FdDirectoriesUnreadable { get; private set; }

    public IReadOnlyList<int> MappersOf(ulong device, ulong inode) => _mapped.TryGetValue((device, inode), out var s) ? [.. s] : [];
    public IReadOnlyList<int> OpenersOf(ulong device, ulong inode) => _open.TryGetValue((device, inode), out var s) ? [.. s] : [];

    /// <summary>One process: its maps text (already read by the attachment scan) and its fd directory.</summary>
    public void ScanProcess(int pid, ReadOnlySpan<byte> maps)
    {
        const string prefix = "/dev/shm/";
        var from = 0;
        int hit;
        while ((hit = maps[from..].IndexOf(" /dev/shm/"u8)) >= 0)
        {
            hit += from;
            var lineStart = maps[..hit].LastIndexOf((byte)'\n') + 1;
            var lineLength = maps[hit..].IndexOf((byte)'\n');
            var lineEnd = lineLength < 0 ? maps.Length : hit + lineLength;
            NoteMapping(pid, Encoding.UTF8.GetString(maps[lineStart..lineEnd]), prefix);
            from = lineEnd;
        }

        var fdDir = proc.PathOf(pid.ToString(CultureInfo.InvariantCulture) + "/fd");
        Span<byte> target = stackalloc byte[512];
        try
        {
            // Names only: no FileInfo or stat per descriptor; a process holds hundreds of links and few are ours.
            var names = new FileSystemEnumerable<string>(fdDir, static (ref FileSystemEntry e) => e.FileName.ToString(),
                new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false });
            foreach (var name in names)
            {
                var fd = fdDir + "/" + name;
                var length = LinkReader.Read(fd, target);
                if (length <= 1 || length >= target.Length) continue;
                var link = target[..length];
                var isShm = link.StartsWith("/dev/shm/"u8);
                // A queue's link is "/NAME": a single path component; everything else is not ours.
                var maybeQueue = mqueueDevice is not null && link[0] == (byte)'/' && link[1..].IndexOf((byte)'/') < 0;
                if (!isShm && !maybeQueue) continue;
                if (FileStatus.Of(fd, follow: true) is not { } st) continue;
                var key = (st.Device, st.Inode);
                if (known.Contains(key) || (isShm && Deleted.ContainsKey(key))) Add(_open, key, pid);
            }
        }
        catch (UnauthorizedAccessException) { FdDirectoriesUnreadable++; }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { }
    }

    /// <summary><c>7f..-7f.. rw-s 00000000 00:29 3   /dev/shm/psm_1 (deleted)</c>: device in hex major:minor, then inode.</summary>
    private void NoteMapping(int pid, string line, string prefix)
    {
        var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 6) return;
        var dev = f[3].Split(':');
        if (dev.Length != 2
            || !uint.TryParse(dev[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var major)
            || !uint.TryParse(dev[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var minor)
            || !Utf8Parser.TryParse(Encoding.ASCII.GetBytes(f[4]), out ulong inode, out _)) return;
        var key = ((ulong)major << 32 | minor, inode);
        var path = f[5].Trim();
        if (!known.Contains(key))
        {
            const string deleted = " (deleted)";
            if (!path.EndsWith(deleted, StringComparison.Ordinal) || !path.StartsWith(prefix, StringComparison.Ordinal)) return;
            var name = path[prefix.Length..^deleted.Length];
            if (!Deleted.ContainsKey(key))
                Deleted[key] = (name, proc.PathOf($"{pid.ToString(CultureInfo.InvariantCulture)}/map_files/{f[0]}"));
        }
        Add(_mapped, key, pid);
    }

    private static void Add(Dictionary<(ulong, ulong), SortedSet<int>> map, (ulong, ulong) key, int pid)
    {
        if (!map.TryGetValue(key, out var set)) map[key] = set = [];
        set.Add(pid);
    }
}
