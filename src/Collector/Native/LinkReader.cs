using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>readlink(2) into a caller's buffer: /proc/PID/fd holds thousands of links, and only a few are wanted.</summary>
public static partial class LinkReader
{
    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint ReadLink(string path, byte* buffer, nint size);

    /// <summary>The target's length in <paramref name="buffer"/>; -1 when the link is gone or unreadable.</summary>
    public static unsafe int Read(string path, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
            return (int)ReadLink(path, b, buffer.Length);
    }
}
