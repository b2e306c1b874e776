using System.Runtime.InteropServices;
using System.Text;

namespace IpcAudit.Collector.Native;

/// <summary>
/// setns(2) into another process's IPC (and UTS) namespace. Namespaces live in the task's nsproxy, which
/// is per thread: only the calling thread moves, so this is called on a thread made for one namespace
/// and ended after it (never a pool thread), and nothing else of the collector runs there. Threads that
/// thread starts are cloned from it and share its namespaces.
/// </summary>
public static partial class NamespaceEntry
{
    public const int CloneNewIpc = 0x08000000;
    public const int CloneNewUts = 0x04000000;

    private const int ORdOnly = 0, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "gethostname", SetLastError = true)]
    private static unsafe partial int GetHostName(byte* name, nuint length);

    /// <summary>
    /// Opens <paramref name="nsLink"/> (/proc/PID/ns/ipc) and joins that namespace on the calling thread.
    /// 0 on success, else the errno: ENOENT or ESRCH when the process is gone, EPERM without CAP_SYS_ADMIN
    /// over the namespace, EINVAL when the link is not of that type.
    /// </summary>
    public static int Enter(string nsLink, int nstype)
    {
        var fd = Open(nsLink, ORdOnly | OCloexec);
        if (fd < 0) return Marshal.GetLastPInvokeError();
        try
        {
            return SetNs(fd, nstype) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>The nodename of the calling thread's UTS namespace (what `hostname` prints inside it); null on failure.</summary>
    public static unsafe string? HostName()
    {
        // HOST_NAME_MAX is 64; gethostname NUL-terminates when the name fits.
        var buffer = stackalloc byte[256];
        if (GetHostName(buffer, 256) != 0) return null;
        var span = new ReadOnlySpan<byte>(buffer, 256);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
