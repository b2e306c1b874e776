using System.Globalization;
using System.Text;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>The parts of /proc/PID/stat we use: comm, state and start time in clock ticks since boot.</summary>
public readonly record struct ProcessStat(string Comm, char State, ulong StartTicks);

/// <summary>
/// Facts about the pids IPC objects name (cpid, lpid, lspid, ...): alive or not, when started
/// (tells a live creator from a reused pid), what it runs and as whom.
/// Not thread-safe: one reader reuses one buffer and caches btime.
/// </summary>
public sealed class ProcessInfoReader(ProcRoot proc)
{
    /// <summary>USER_HZ: /proc reports times in 1/100 s on every Linux architecture.</summary>
    public const int UserHz = 100;
    public const int MaxCmdlineChars = 4096;
    // UTF-8 needs at most 4 bytes for the chars we keep; a command line can be megabytes.
    private const int MaxCmdlineBytes = 4 * MaxCmdlineChars;

    private byte[] _buffer = new byte[4096];
    private long? _bootTime;
    private bool _bootTimeRead;

    /// <summary>One entry per distinct pid &gt; 0, sorted by pid. Never throws for a process that raced with exit.</summary>
    public IReadOnlyList<ProcessInfo> Read(IEnumerable<int> pids)
    {
        var distinct = ReferencedPids.SortedPositiveDistinct([.. pids]);
        var result = new List<ProcessInfo>(distinct.Length);
        foreach (var pid in distinct) result.Add(ReadOne(pid));
        return result;
    }

    private ProcessInfo ReadOne(int pid)
    {
        var dir = pid.ToString(CultureInfo.InvariantCulture);
        // Dead pids are common (creators of long-lived objects): a stat here spares an exception below.
        if (!Directory.Exists(proc.PathOf(dir))) return Gone(pid);
        try
        {
            if (proc.ReadText(dir + "/stat") is not { } statText) return Gone(pid);
            var stat = ParseStat(statText, dir + "/stat");
            // A zombie holds no attachments and cannot act; its comm still says who it was.
            if (stat.State is 'Z' or 'X') return Gone(pid) with { Comm = stat.Comm };
            if (proc.ReadText(dir + "/status") is not { } statusText) return Gone(pid);
            var length = ProcFile.Read(proc.PathOf(dir + "/cmdline"), ref _buffer, MaxCmdlineBytes);
            return new ProcessInfo
            {
                Pid = pid,
                Alive = true,
                Comm = stat.Comm,
                Cmdline = ParseCmdline(_buffer.AsSpan(0, length)),
                Uid = ParseStatusUid(statusText, dir + "/status"),
                StartTime = BootTime() is { } btime ? StartTime(btime, stat.StartTicks) : null,
            };
        }
        // hidepid=1: the process exists but its files are closed to us; alive, details unknown.
        catch (UnauthorizedAccessException) { return new ProcessInfo { Pid = pid, Alive = Directory.Exists(proc.PathOf(dir)) }; }
        // Gone between two reads (ENOENT, ESRCH) or a half-written file: not alive.
        catch (IOException) { return Gone(pid); }
        catch (ProcFormatException) { return Gone(pid); }
    }

    private static ProcessInfo Gone(int pid) => new() { Pid = pid, Alive = false };

    private long? BootTime()
    {
        if (!_bootTimeRead)
        {
            _bootTime = proc.ReadText("stat") is { } text ? ParseBootTime(text, "stat") : null;
            _bootTimeRead = true;
        }
        return _bootTime;
    }

    public static DateTimeOffset StartTime(long bootTime, ulong startTicks) =>
        DateTimeOffset.FromUnixTimeSeconds(bootTime).AddTicks(checked((long)startTicks * (TimeSpan.TicksPerSecond / UserHz)));

    /// <summary>
    /// "pid (comm) state ppid ...": comm may hold spaces and ')' (it is up to 15 bytes of anything),
    /// so it ends at the LAST ')'. Field 3 is the state, field 22 the start time in ticks since boot.
    /// </summary>
    public static ProcessStat ParseStat(string text, string fileName)
    {
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) throw new ProcFormatException(fileName, 1, "comm", "no '(comm)' in stat");
        var comm = text[(open + 1)..close];

        const int firstField = 3, stateField = 3, startTimeField = 22;
        var rest = text.AsSpan(close + 1);
        Span<Range> fields = stackalloc Range[startTimeField - firstField + 2];
        var count = rest.SplitAny(fields, " \n", StringSplitOptions.RemoveEmptyEntries);
        if (count <= startTimeField - firstField)
            throw new ProcFormatException(fileName, 1, "starttime", $"only {count + firstField - 1} fields");
        var state = rest[fields[stateField - firstField]];
        if (state.Length != 1) throw new ProcFormatException(fileName, 1, "state", $"not a state: '{state}'");
        var startTime = rest[fields[startTimeField - firstField]];
        if (!ulong.TryParse(startTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            throw new ProcFormatException(fileName, 1, "starttime", $"not a number: '{startTime}'");
        return new ProcessStat(comm, state[0], ticks);
    }

    /// <summary>NUL-separated arguments joined by single spaces, cut at <see cref="MaxCmdlineChars"/>; empty (kernel threads) → null.</summary>
    public static string? ParseCmdline(ReadOnlySpan<byte> raw)
    {
        // setproctitle() pads with NULs: drop them all, not just the terminator.
        raw = raw.TrimEnd((byte)0);
        if (raw.IsEmpty) return null;
        var text = Encoding.UTF8.GetString(raw).Replace('\0', ' ');
        if (text.Length <= MaxCmdlineChars) return text;
        var cut = char.IsHighSurrogate(text[MaxCmdlineChars - 1]) ? MaxCmdlineChars - 1 : MaxCmdlineChars;
        return text[..cut];
    }

    /// <summary>The real uid: first of the four values on the "Uid:" line of /proc/PID/status.</summary>
    public static uint ParseStatusUid(string text, string fileName) =>
        (uint)ParseLabeledNumber(text, "Uid:", fileName, "Uid", uint.MaxValue);

    /// <summary>"btime 1795240412" from /proc/stat: boot time in unix seconds.</summary>
    public static long ParseBootTime(string text, string fileName) =>
        (long)ParseLabeledNumber(text, "btime ", fileName, "btime", long.MaxValue);

    /// <summary>The first number after <paramref name="label"/> on the first line that starts with it.</summary>
    private static ulong ParseLabeledNumber(string text, string label, string fileName, string field, ulong max)
    {
        var lineNumber = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (!line.StartsWith(label, StringComparison.Ordinal)) continue;
            var rest = line[label.Length..].TrimStart(" \t");
            var end = rest.IndexOfAny(' ', '\t');
            var number = end < 0 ? rest : rest[..end];
            return ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= max
                ? v
                : throw new ProcFormatException(fileName, lineNumber, field, $"not a number: '{number}'");
        }
        throw new ProcFormatException(fileName, lineNumber, field, $"no '{label.Trim()}' line");
    }
}
