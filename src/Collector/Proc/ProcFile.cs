using System.Runtime.InteropServices;
using System.Text;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// Byte reads of /proc files into a reused buffer. Only regular files are read, opened with
/// O_NONBLOCK, and never more than <see cref="MaxBytes"/>: a saved /proc copy may hold a FIFO
/// (which would block for ever) or a link to /dev/zero (which never ends) where a file should be.
/// </summary>
internal static partial class ProcFile
{
    /// <summary>
    /// Far above any real /proc file: /proc/sysvipc/shm at 32,768 segments is about 6.5 MB, and the
    /// maps of a process at the default vm.max_map_count about 10 MB.
    /// </summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Kernel strings (hostname, comm, ...) are bytes: UTF-8 with replacement, never a byte-order-mark guess.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Errno-like code for "exists but is not a regular file" (a FIFO, a device, a socket).</summary>
    public const int NotRegular = -2;
    /// <summary>Errno-like code for "larger than <see cref="MaxBytes"/>".</summary>
    public const int TooLarge = -3;

    /// <summary>
    /// Reads <paramref name="path"/> whole (or its first <paramref name="maxBytes"/>), growing
    /// <paramref name="buffer"/> as needed; /proc reports sizes of 0 or 4096, so read until EOF.
    /// Throws FileNotFoundException/DirectoryNotFoundException when the file or process is gone,
    /// UnauthorizedAccessException when access is denied, IOException for anything else that is
    /// not a readable regular file of at most <see cref="MaxBytes"/>.
    /// </summary>
    public static int Read(string path, ref byte[] buffer, int maxBytes = MaxBytes)
    {
        var length = TryRead(path, ref buffer, out var errno, maxBytes);
        return length >= 0 ? length : throw Failure(path, errno);
    }

    /// <summary>The whole file as text (see <see cref="Utf8"/>); null when it does not exist.</summary>
    public static string? ReadText(string path)
    {
        var buffer = new byte[4096];
        var length = TryRead(path, ref buffer, out var errno);
        if (length >= 0) return Utf8.GetString(buffer, 0, length);
        return errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw Failure(path, errno);
    }

    /// <summary>
    /// Like <see cref="Read"/>, but a file that cannot be opened or read is an errno, not an exception:
    /// scans meet gone and unreadable processes on every run, and the first exception a .NET process
    /// throws costs about 10 ms, a tenth of the collector's whole start-up.
    /// </summary>
    /// <returns>
    /// The bytes read, or -1 with <paramref name="errno"/> set (ENOENT, EACCES, ESRCH, EISDIR, ...,
    /// or <see cref="NotRegular"/> / <see cref="TooLarge"/>). A file cut at <paramref name="maxBytes"/>
    /// below <see cref="MaxBytes"/> is returned cut (cmdline); one beyond <see cref="MaxBytes"/> is TooLarge.
    /// </returns>
    public static unsafe int TryRead(string path, ref byte[] buffer, out int errno, int maxBytes = MaxBytes)
    {
        errno = 0;
        var fd = Open(path, OpenFlags);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }
        try
        {
            if (!IsRegular(fd, out errno)) return -1;
            var limit = Math.Min(maxBytes, MaxBytes);
            var total = 0;
            while (true)
            {
                // One byte past the limit tells "exactly MaxBytes" from "more than that".
                var room = (maxBytes >= MaxBytes ? limit + 1 : limit) - total;
                if (room <= 0) return total;
                if (total == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, (long)limit + 1));
                nint n;
                fixed (byte* p = &buffer[total]) n = ReadFd(fd, p, Math.Min(buffer.Length - total, room));
                if (n < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    return -1;
                }
                if (n == 0) return total;
                total += (int)n;
                if (total > MaxBytes) { errno = TooLarge; return -1; }
            }
        }
        finally
        {
            CloseFd(fd);
        }
    }

    /// <summary>
    /// The owner uid of <paramref name="path"/> without following a last symlink; null when it cannot be
    /// stat'ed. statx, because struct statx is the same on every architecture (stx_uid at byte 20),
    /// while struct stat is not.
    /// </summary>
    public static unsafe uint? TryOwner(string path)
    {
        const int atFdCwd = -100, atSymlinkNoFollow = 0x100, statxUid = 0x8, statxSize = 256, uidOffset = 20;
        var buffer = stackalloc byte[statxSize];
        if (Statx(atFdCwd, path, atSymlinkNoFollow, statxUid, buffer) != 0) return null;
        return (*(uint*)buffer & statxUid) != 0 ? *(uint*)(buffer + uidOffset) : null;
    }


    /// <summary>
    /// Device and inode of what <paramref name="path"/> names, following symlinks (/proc/PID/exe and
    /// cwd lead to the file itself, even when it was deleted); null when it cannot be stat'ed. The
    /// device is encoded as glibc's makedev does (st_dev), so its low byte is the minor's, as ftok reads it.
    /// </summary>
    public static unsafe FileIdentity? TryIdentity(string path)
    {
        const int atFdCwd = -100, statxIno = 0x100, statxSize = 256, inoOffset = 32, devMajorOffset = 136, devMinorOffset = 140;
        var buffer = stackalloc byte[statxSize];
        if (Statx(atFdCwd, path, 0, statxIno, buffer) != 0 || (*(uint*)buffer & statxIno) == 0) return null;
        ulong major = *(uint*)(buffer + devMajorOffset), minor = *(uint*)(buffer + devMinorOffset);
        var dev = ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
        return new FileIdentity(dev, *(ulong*)(buffer + inoOffset));
    }

    /// <summary>The exception <see cref="Read"/> throws for <paramref name="errno"/>, its message naming the path.</summary>
    public static Exception Failure(string path, int errno) => errno switch
    {
        Errno.ENOENT => new FileNotFoundException($"{path}: no such file", path),
        Errno.ENOTDIR => new DirectoryNotFoundException($"{path}: no such file (a parent is not a directory)"),
        Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException($"{path}: access denied"),
        Errno.EISDIR => new IOException($"{path}: is a directory, not a file"),
        NotRegular => new IOException($"{path}: not a regular file (a FIFO, device or socket); only regular files are read"),
        TooLarge => new IOException($"{path}: larger than {MaxBytes / (1024 * 1024)} MiB, far above any real /proc file; not read"),
        Errno.EAGAIN => new IOException($"{path}: would block; not read"),
        _ => new IOException($"{path}: cannot read ({Marshal.GetPInvokeErrorMessage(errno)})"),
    };

    // O_RDONLY | O_NONBLOCK | O_CLOEXEC: opening a FIFO without a writer must not wait for one.
    private const int OpenFlags = 0x800 | 0x80000;

    /// <summary>statx on the open descriptor: its layout is the same on every architecture, unlike struct stat.</summary>
    private static unsafe bool IsRegular(int fd, out int errno)
    {
        const int AtEmptyPath = 0x1000, StatxType = 0x1, ModeOffset = 28;
        const ushort TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000;
        var buffer = stackalloc byte[256];
        if (Statx(fd, "", AtEmptyPath, StatxType, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        var type = (ushort)(*(ushort*)(buffer + ModeOffset) & TypeMask);
        errno = type switch { Regular => 0, Directory => Errno.EISDIR, _ => NotRegular };
        return errno == 0;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFd(int fd);
}
