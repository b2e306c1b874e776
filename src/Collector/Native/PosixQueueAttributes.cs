using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>
/// mq_getattr on a queue opened read-only and non-blocking: the message count and sizes the queue file
/// does not show. Opening a queue changes none of its times or contents.
/// </summary>
public static partial class PosixQueueAttributes
{
    private const int ORdonly = 0, ONonblock = 0x800;

    // glibc 2.34+ has mq_* in libc itself (librt is a stub).
    [LibraryImport("libc", EntryPoint = "mq_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MqOpen(string name, int oflag);

    [LibraryImport("libc", EntryPoint = "mq_getattr", SetLastError = true)]
    private static unsafe partial int MqGetattr(int mqdes, long* attr);

    [LibraryImport("libc", EntryPoint = "mq_close")]
    private static partial int MqClose(int mqdes);

    /// <summary>(messages, max messages, message size) of /NAME in the caller's IPC namespace; null when it cannot be opened.</summary>
    public static unsafe (long Messages, long MaxMessages, long MessageSize)? Read(string name)
    {
        var fd = MqOpen("/" + name, ORdonly | ONonblock);
        if (fd < 0) return null;
        try
        {
            // struct mq_attr: mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, 4 reserved longs.
            var attr = stackalloc long[8];
            return MqGetattr(fd, attr) == 0 ? (attr[3], attr[1], attr[2]) : null;
        }
        finally { MqClose(fd); }
    }
}
