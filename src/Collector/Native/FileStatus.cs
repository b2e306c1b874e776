using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>
/// statx(2): the one stat call whose struct is the same on every architecture (struct stat differs
/// between x86_64 and arm64), and the only way to the allocated blocks .NET's FileInfo does not show.
/// </summary>
public readonly partial record struct FileStatus(uint Uid, uint Gid, int Mode, ulong Inode, long Size, long Blocks,
    long MtimeSeconds, long CtimeSeconds, uint DevMajor, uint DevMinor)
{
    private const int AtFdcwd = -100;
    private const int AtSymlinkNofollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    public ulong Device => (ulong)DevMajor << 32 | DevMinor;

    public bool IsRegularFile => (Mode & 0xF000) == 0x8000;

    /// <summary>Null when the path is gone or unreadable; <paramref name="follow"/> follows a last symlink (/proc/PID/fd/N).</summary>
    public static unsafe FileStatus? Of(string path, bool follow = false)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdcwd, path, follow ? 0 : AtSymlinkNofollow, StatxBasicStats, buffer) != 0) return null;
        var b = new ReadOnlySpan<byte>(buffer, StatxSize);
        return new FileStatus(
            Uid: BinaryPrimitives.ReadUInt32LittleEndian(b[20..]), Gid: BinaryPrimitives.ReadUInt32LittleEndian(b[24..]),
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(b[28..]), Inode: BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            Size: BinaryPrimitives.ReadInt64LittleEndian(b[40..]), Blocks: BinaryPrimitives.ReadInt64LittleEndian(b[48..]),
            MtimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(b[112..]), CtimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(b[96..]),
            DevMajor: BinaryPrimitives.ReadUInt32LittleEndian(b[136..]), DevMinor: BinaryPrimitives.ReadUInt32LittleEndian(b[140..]));
    }
}
