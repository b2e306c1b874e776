using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>
/// Reads the mqueue filesystem when the host has not mounted it, without mounting anything on the host:
/// a dedicated thread leaves the process's mount namespace (unshare(CLONE_NEWNS) implies CLONE_FS, so only
/// that thread moves), makes every mount private so nothing propagates back, mounts mqueue (which shows the
/// queues of the caller's IPC namespace) and runs the reader there. The namespace ends with the thread.
/// </summary>
public static partial class PrivateMqueueMount
{
    private const int CloneNewns = 0x00020000;
    private const ulong MsRec = 0x4000, MsPrivate = 1 << 18;

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string? source, string target, string? type, ulong flags, nint data);

    /// <summary>Runs <paramref name="read"/> with the mqueue filesystem at the directory it is given; throws IOException naming the failed call.</summary>
    public static T Run<T>(Func<string, T> read)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (Unshare(CloneNewns) != 0) throw Failed("unshare(CLONE_NEWNS)");
                if (Mount(null, "/", null, MsRec | MsPrivate, 0) != 0) throw Failed("mount --make-rprivate /");
                // /dev/mqueue when the directory exists; otherwise a private tmpfs over /tmp holds the mount point.
                var target = "/dev/mqueue";
                if (!Directory.Exists(target))
                {
                    if (Mount("tmpfs", "/tmp", "tmpfs", 0, 0) != 0) throw Failed("mount tmpfs /tmp");
                    target = "/tmp/mqueue";
                    Directory.CreateDirectory(target);
                }
                if (Mount("mqueue", target, "mqueue", 0, 0) != 0) throw Failed($"mount -t mqueue {target}");
                result = read(target);
            }
            catch (Exception e) { failure = e; }
        }) { Name = "ipcaudit mqueue", IsBackground = true };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure as IOException ?? new IOException(failure.Message, failure);
        return result!;
    }

    private static IOException Failed(string call) =>
        new($"{call} failed (errno {Marshal.GetLastPInvokeError()}): mqueue not mounted and no private mount possible");
}
