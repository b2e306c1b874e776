using System.Globalization;
using System.Text;

namespace IpcAudit.Collector.Output;

/// <summary>
/// Files we hand to other programs (reports, CSV, the Prometheus textfile) are written beside the
/// target under a hidden temp name and renamed over it: a reader never sees half a file, and a failed
/// run leaves the previous file (or none), never a truncated one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Lets <paramref name="writeTemp"/> write the temp path however it likes (e.g. a CSV library's own file writer).</summary>
    public static void Write(string path, Action<string> writeTemp, UnixFileMode? mode = null)
    {
        var full = Path.GetFullPath(path);
        // The temp name does not end like the target (.prom, .csv), so collectors globbing the folder skip it.
        var temp = Path.Combine(Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        try
        {
            writeTemp(temp);
            if (mode is { } m) File.SetUnixFileMode(temp, m);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>UTF-8 without BOM, "\n" line ends, flushed to disk before the rename.</summary>
    public static void Write(string path, Action<TextWriter> write, UnixFileMode? mode = null) => Write(path, temp =>
    {
        using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
        write(writer);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }, mode);
}
