using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The mqueue filesystem (normally /dev/mqueue): one file per queue, whose content is one line
/// "QSIZE:5 NOTIFY:0 SIGNO:0 NOTIFY_PID:0". Message counts and sizes come from mq_getattr.
/// </summary>
public static class MqueueDirectory
{
    public const string DefaultPath = "/dev/mqueue";

    public sealed record QueueLine(long QsizeBytes, int NotifyPid);

    /// <summary>Parses the queue file's line; a malformed one names the file and the field.</summary>
    public static QueueLine Parse(string text, string fileName)
    {
        long? qsize = null;
        int? notifyPid = null;
        foreach (var part in text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0) continue;
            var (field, value) = (part[..colon], part[(colon + 1)..]);
            if (field == "QSIZE") qsize = Number(value, fileName, field);
            else if (field == "NOTIFY_PID") notifyPid = (int)Number(value, fileName, field);
        }
        if (qsize is null) throw new ProcFormatException(fileName, 1, "QSIZE", $"missing in '{text.Trim()}'");
        return new QueueLine(qsize.Value, notifyPid ?? 0);
    }

    private static long Number(string value, string fileName, string field) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ProcFormatException(fileName, 1, field, $"not a number: '{value}'");

    /// <summary>The queues of the caller's IPC namespace found under <paramref name="directory"/> (an mqueue mount).</summary>
    public static List<PosixQueue> Read(string directory, bool withAttributes)
    {
        var queues = new List<PosixQueue>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            string? text;
            try { text = File.ReadAllText(path); }
            catch (FileNotFoundException) { continue; }
            // Another user's 0600 queue without CAP_DAC_READ_SEARCH: listed, its QSIZE and NOTIFY_PID unknown.
            catch (UnauthorizedAccessException) { text = null; }
            if (FileStatus.Of(path) is not { } st) continue;
            var line = text is null ? null : Parse(text, path);
            var name = Path.GetFileName(path);
            var attributes = withAttributes ? PosixQueueAttributes.Read(name) : null;
            queues.Add(new PosixQueue
            {
                Name = name, Inode = st.Inode, Device = st.Device, Uid = st.Uid, Gid = st.Gid, Mode = st.Mode & 0xFFF,
                // Reading the queue's file (as done just above) sets its ctime to now (mqueue_read_file), so
                // ctime says nothing; mtime is the last send or receive.
                Mtime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds), Ctime = null,
                QsizeBytes = line?.QsizeBytes, NotifyPid = line?.NotifyPid,
                Messages = attributes?.Messages, MaxMessages = attributes?.MaxMessages, MessageSize = attributes?.MessageSize,
            });
        }
        queues.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return queues;
    }

    /// <summary>Where the mqueue filesystem is mounted in our mount namespace (from <c>self/mounts</c>); null when nowhere.</summary>
    public static string? MountPoint(ProcRoot proc)
    {
        if (proc.ReadText("self/mounts") is not { } mounts) return null;
        foreach (var line in mounts.Split('\n'))
        {
            var f = line.Split(' ');
            // Mount points escape spaces as \040; a path with one is taken as written.
            if (f.Length >= 3 && f[2] == "mqueue") return f[1].Replace("\\040", " ", StringComparison.Ordinal);
        }
        return null;
    }
}
