using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Proc;

/// <summary>Byte reads of per-process /proc files into a reused buffer: no string for text we mostly skip.</summary>
internal static partial class ProcFile
{
    /// <summary>
    /// Reads <paramref name="path"/> whole (or its first <paramref name="maxBytes"/>), growing
    /// <paramref name="buffer"/> as needed; /proc reports sizes of 0 or 4096, so read until EOF.
    /// Throws FileNotFoundException/DirectoryNotFoundException when the file or process is gone.
    /// </summary>
    public static int Read(string path, ref byte[] buffer, int maxBytes = int.MaxValue)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var total = 0;
        while (total < maxBytes)
        {
            if (total == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, maxBytes));
            var n = RandomAccess.Read(handle, buffer.AsSpan(total, Math.Min(buffer.Length, maxBytes) - total), total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Like <see cref="Read"/>, but a file that cannot be opened or read is an errno, not an exception:
    /// scans meet gone and unreadable processes on every run, and the first exception a .NET process
    /// throws costs about 10 ms, a tenth of the collector's whole start-up.
    /// </summary>
    /// <returns>The bytes read, or -1 with <paramref name="errno"/> set (ENOENT, EACCES, ESRCH, ...).</returns>
    public static unsafe int TryRead(string path, ref byte[] buffer, out int errno)
    {
        errno = 0;
        var fd = Open(path, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length) Array.Resize(ref buffer, 2 * buffer.Length);
                nint n;
                fixed (byte* p = &buffer[total]) n = ReadFd(fd, p, buffer.Length - total);
                if (n < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.Errno.EINTR) continue;
                    return -1;
                }
                if (n == 0) return total;
                total += (int)n;
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

    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseFd(int fd);
}
