using System.Globalization;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /proc/PID/ns/ipc: a symlink whose target "ipc:[4026531839]" names the IPC namespace by inode.
/// shmids and keys only mean something inside one namespace.
/// </summary>
public static class NsIpcLink
{
    /// <summary>PROC_IPC_INIT_INO (include/linux/proc_ns.h): the initial IPC namespace, which lives as long as the boot.</summary>
    public const ulong InitialNamespace = 0xEFFFFFFF;

    /// <summary>"ipc:[4026531839]" → 4026531839; anything else → null.</summary>
    public static ulong? ParseTarget(ReadOnlySpan<char> target)
    {
        const string prefix = "ipc:[";
        if (!target.StartsWith(prefix, StringComparison.Ordinal) || !target.EndsWith(']')) return null;
        return ulong.TryParse(target[prefix.Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : null;
    }

    /// <summary>
    /// The namespace inode behind <paramref name="linkPath"/>; null when the link is missing, is not an
    /// ipc link, or cannot be read (a zombie's ns links exist but readlink fails with ENOENT).
    /// Throws UnauthorizedAccessException for another user's process, so callers can count it.
    /// </summary>
    public static ulong? Read(string linkPath)
    {
        try
        {
            return new FileInfo(linkPath).LinkTarget is { } target ? ParseTarget(target) : null;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>
    /// The namespace of <paramref name="pid"/>, or of the reading thread when pid is null: on the live /proc
    /// "thread-self", since a collector thread that entered another namespace (setns is per thread) is
    /// there while "self" (the main thread) is not; a saved copy has only "self".
    /// </summary>
    public static ulong? Read(ProcRoot root, int? pid = null) =>
        Read(root.PathOf(pid is { } p ? $"{p.ToString(CultureInfo.InvariantCulture)}/ns/ipc" : root.IsLive ? "thread-self/ns/ipc" : "self/ns/ipc"));
}
