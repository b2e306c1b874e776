using System.Buffers.Binary;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /dev/shm: every regular file is POSIX shared memory (shm_open) except sem.NAME, a named semaphore
/// (sem_open). Sizes, owners and times come from statx; a semaphore's value from its first word.
/// </summary>
public static class DevShmDirectory
{
    public const string DefaultPath = "/dev/shm";
    private const string SemaphorePrefix = "sem.";

    /// <summary>Null when the directory does not exist (no POSIX shared memory on this host).</summary>
    public static (List<PosixShmObject> Shm, List<PosixShmObject> Sem)? Read(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        var (shm, sem) = (new List<PosixShmObject>(), new List<PosixShmObject>());
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            // Gone between listing and stat, or not a regular file (a symlink, a socket): not POSIX IPC.
            if (FileStatus.Of(path) is not { IsRegularFile: true } st) continue;
            var file = Path.GetFileName(path);
            var isSem = file.StartsWith(SemaphorePrefix, StringComparison.Ordinal) && file.Length > SemaphorePrefix.Length;
            var o = FromStatus(isSem ? file[SemaphorePrefix.Length..] : file, isSem, st);
            if (isSem) sem.Add(o with { Value = SemaphoreValue(path) });
            else shm.Add(o);
        }
        shm.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        sem.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (shm, sem);
    }

    public static PosixShmObject FromStatus(string name, bool isSemaphore, FileStatus st) => new()
    {
        Name = name, IsSemaphore = isSemaphore, Inode = st.Inode, Device = st.Device, Bytes = st.Size, AllocatedBytes = st.Blocks * 512,
        Uid = st.Uid, Gid = st.Gid, Mode = st.Mode & 0xFFF,
        Mtime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds), Ctime = DateTimeOffset.FromUnixTimeSeconds(st.CtimeSeconds),
    };

    /// <summary>
    /// glibc's sem_t on 64-bit targets (x86_64, arm64) starts with a 64-bit word whose low 32 bits are the
    /// value and high 32 bits the waiters. Read with read(2) from a read-only descriptor, as the page
    /// cache holds it: nothing is mapped writable and the value cannot change because we looked. Null
    /// when unreadable, shorter than a word, or on a 32-bit process (another layout).
    /// </summary>
    public static long? SemaphoreValue(string path)
    {
        if (!Environment.Is64BitProcess) return null;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> word = stackalloc byte[8];
            return f.ReadAtLeast(word, 8, throwOnEndOfStream: false) == 8 ? ParseValue(word) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static long ParseValue(ReadOnlySpan<byte> word) => BinaryPrimitives.ReadUInt32LittleEndian(word);
}
