namespace IpcAudit.Collector.Proc;

/// <summary>Byte reads of per-process /proc files into a reused buffer: no string for text we mostly skip.</summary>
internal static class ProcFile
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
}
