using System.Globalization;
using System.Text;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The parts of /proc/PID/stat we use: comm, state, parent, flags and start time in clock ticks since boot.
/// A class: a Dictionary over our own struct is JIT-compiled at every start, one over a class is not.
/// </summary>
public sealed record ProcessStat(string Comm, char State, int Ppid, uint Flags, ulong StartTicks)
{
    /// <summary>PF_KTHREAD (include/linux/sched.h): a kernel thread, no user space, no IPC of its own.</summary>
    public const uint KernelThreadFlag = 0x00200000;

    public bool IsKernelThread => (Flags & KernelThreadFlag) != 0;
}

/// <summary>
/// Facts about the pids IPC objects name (cpid, lpid, lspid, ...): alive or not, when started
/// (tells a live creator from a reused pid), what it runs, as whom, and its parent.
/// Not thread-safe: one reader reuses one buffer and caches btime.
/// </summary>
public sealed class ProcessInfoReader(ProcRoot proc)
{
    /// <summary>USER_HZ: /proc reports times in 1/100 s on every Linux architecture.</summary>
    public const int UserHz = 100;
    public const int MaxCmdlineChars = 4096;
    // UTF-8 needs at most 4 bytes for the chars we keep; a command line can be megabytes.
    private const int MaxCmdlineBytes = 4 * MaxCmdlineChars;
    /// <summary>9999-12-31T23:59:59Z: the last second DateTimeOffset (and any sane clock) can hold.</summary>
    public const long MaxUnixSeconds = 253402300799;

    private byte[] _buffer = new byte[4096];
    private long? _bootTime;
    private bool _bootTimeRead;
    private Dictionary<int, ProcessStat?>? _stats;

    /// <summary>One entry per distinct pid &gt; 0, sorted by pid. Never throws for a process that raced with exit.</summary>
    /// <exception cref="ProcFormatException">btime in /proc/stat is malformed: every start time would be wrong.</exception>
    public IReadOnlyList<ProcessInfo> Read(IEnumerable<int> pids)
    {
        BootTime();
        var distinct = ReferencedPids.SortedPositiveDistinct([.. pids]);
        var result = new List<ProcessInfo>(distinct.Length);
        foreach (var pid in distinct) result.Add(ReadOne(pid));
        return result;
    }

    /// <summary>
    /// <see cref="Read"/>, plus the parent of each live process when it counts as family
    /// (<see cref="FamilyParent"/>): one level up only, so a parent's own ParentStartTicks is null
    /// unless it was asked for itself.
    /// </summary>
    public IReadOnlyList<ProcessInfo> ReadWithParents(IEnumerable<int> pids)
    {
        var asked = Read(pids);
        var askedPids = new HashSet<int>(asked.Count);
        foreach (var p in asked) askedPids.Add(p.Pid);
        var parents = new List<int>();
        foreach (var p in asked)
            if (p.ParentStartTicks is not null && p.Ppid is { } ppid && !askedPids.Contains(ppid)) parents.Add(ppid);
        if (parents.Count == 0) return asked;
        var all = new List<ProcessInfo>(asked);
        foreach (var parent in Read(parents))
            if (parent.Alive) all.Add(parent with { ParentStartTicks = null });
        all.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        return all;
    }

    private ProcessInfo ReadOne(int pid)
    {
        var dir = pid.ToString(CultureInfo.InvariantCulture);
        // Dead pids are common (creators of long-lived objects): a stat here spares an exception below.
        if (!Directory.Exists(proc.PathOf(dir))) return Gone(pid);
        try
        {
            if (StatOf(pid) is not { } stat) return Gone(pid);
            if (proc.ReadText(dir + "/status") is not { } statusText) return Gone(pid);
            // A zombie holds no attachments and cannot act; its comm still says who it was. A zombie
            // thread-group LEADER whose other threads run is alive: the process goes on without it.
            if (stat.State is 'Z' or 'X' && ParseStatusThreads(statusText) <= 1) return Gone(pid) with { Comm = stat.Comm, Cgroup = CgroupFile.Read(proc, pid) };
            var length = ProcFile.Read(proc.PathOf(dir + "/cmdline"), ref _buffer, MaxCmdlineBytes);
            var start = StartOf(stat.StartTicks);
            var (exe, exeFile) = ProcessLinks.Read(proc, pid, "exe");
            var (cwd, cwdFile) = ProcessLinks.Read(proc, pid, "cwd");
            return new ProcessInfo
            {
                Exe = exe, ExeFile = exeFile, Cwd = cwd, CwdFile = cwdFile, Cgroup = CgroupFile.Read(proc, pid),
                Pid = pid,
                Alive = true,
                Comm = stat.Comm,
                Cmdline = ParseCmdline(_buffer.AsSpan(0, length)),
                Uid = ParseStatusUid(statusText, dir + "/status"),
                StartTime = start,
                // A start the clock cannot hold is no identity either: the process is unknown, not dead.
                StartTicks = start is null && _bootTime is not null ? null : stat.StartTicks,
                Ppid = stat.Ppid,
                ParentStartTicks = FamilyStartOf(stat.Ppid),
            };
        }
        // hidepid=1: the process exists but its files are closed to us; alive, details unknown.
        catch (UnauthorizedAccessException) { return new ProcessInfo { Pid = pid, Alive = Directory.Exists(proc.PathOf(dir)) }; }
        // Gone between two reads (ENOENT, ESRCH) or a half-written file: not alive.
        catch (IOException) { return Gone(pid); }
        catch (ProcFormatException) { return Gone(pid); }
    }

    /// <summary>The parent's start ticks when it counts as family and is alive; null otherwise.</summary>
    private ulong? FamilyStartOf(int ppid)
    {
        if (!FamilyParent.CanBeFamily(ppid)) return null;
        try
        {
            return StatOf(ppid) is { } parent && FamilyParent.Counts(ppid, parent) && parent.State is not ('Z' or 'X')
                   && StartOf(parent.StartTicks) is not null
                ? parent.StartTicks
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ProcFormatException) { return null; }
    }

    /// <summary>/proc/PID/stat parsed, read once per reader; null when the process is gone.</summary>
    private ProcessStat? StatOf(int pid)
    {
        _stats ??= [];
        if (_stats.TryGetValue(pid, out var cached)) return cached;
        var file = pid.ToString(CultureInfo.InvariantCulture) + "/stat";
        var stat = proc.ReadText(file) is { } text ? ParseStat(text, file) : null;
        _stats[pid] = stat;
        return stat;
    }

    private static ProcessInfo Gone(int pid) => new() { Pid = pid, Alive = false };

    /// <summary>
    /// Boot time in unix seconds from /proc/stat; null when the file is missing (liveness unknown).
    /// Malformed (no line, not a number, beyond year 9999) throws: every start time hangs on it.
    /// </summary>
    public long? BootTime()
    {
        if (!_bootTimeRead)
        {
            _bootTime = proc.ReadText("stat") is { } text ? ParseBootTime(text, proc.PathOf("stat")) : null;
            _bootTimeRead = true;
        }
        return _bootTime;
    }

    private DateTimeOffset? StartOf(ulong ticks) => BootTime() is { } btime ? StartTime(btime, ticks) : null;

    /// <summary>btime + ticks / USER_HZ; null when that lies beyond year 9999 (no real process starts there).</summary>
    public static DateTimeOffset? StartTime(long bootTime, ulong startTicks)
    {
        var seconds = startTicks / UserHz;
        if (seconds > (ulong)(MaxUnixSeconds - bootTime)) return null;
        return DateTimeOffset.FromUnixTimeSeconds(bootTime + (long)seconds)
            .AddTicks((long)(startTicks % UserHz) * (TimeSpan.TicksPerSecond / UserHz));
    }

    /// <summary>
    /// "pid (comm) state ppid ...": comm may hold spaces and ')' (it is up to 15 bytes of anything),
    /// so it ends at the LAST ')'. Field 3 is the state, 4 the parent, 9 the flags, 22 the start time in ticks since boot.
    /// </summary>
    public static ProcessStat ParseStat(string text, string fileName)
    {
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) throw new ProcFormatException(fileName, 1, "comm", "no '(comm)' in stat");
        var comm = text[(open + 1)..close];

        const int firstField = 3, stateField = 3, ppidField = 4, flagsField = 9, startTimeField = 22;
        var rest = text.AsSpan(close + 1);
        Span<Range> fields = stackalloc Range[startTimeField - firstField + 2];
        var count = rest.SplitAny(fields, " \n", StringSplitOptions.RemoveEmptyEntries);
        if (count <= startTimeField - firstField)
            throw new ProcFormatException(fileName, 1, "starttime", $"only {count + firstField - 1} fields");
        var state = rest[fields[stateField - firstField]];
        if (state.Length != 1) throw new ProcFormatException(fileName, 1, "state", $"not a state: '{state}'");
        var ppid = rest[fields[ppidField - firstField]];
        if (!int.TryParse(ppid, NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
            throw new ProcFormatException(fileName, 1, "ppid", $"not a pid: '{ppid}'");
        var flagsText = rest[fields[flagsField - firstField]];
        if (!uint.TryParse(flagsText, NumberStyles.None, CultureInfo.InvariantCulture, out var flags))
            throw new ProcFormatException(fileName, 1, "flags", $"not a number: '{flagsText}'");
        var startTime = rest[fields[startTimeField - firstField]];
        if (!ulong.TryParse(startTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            // Digits past 2^64 are a start beyond any clock, like any past year 9999: that process is unknown, not gone.
            if (startTime.IsEmpty || startTime.ContainsAnyExceptInRange('0', '9'))
                throw new ProcFormatException(fileName, 1, "starttime", $"not a number: '{startTime}'");
            ticks = ulong.MaxValue;
        }
        return new ProcessStat(comm, state[0], parent, flags, ticks);
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

    /// <summary>"Threads:" of /proc/PID/status: threads in the group; 1 when the line is missing (kernels before 2.6.x).</summary>
    public static int ParseStatusThreads(string text)
    {
        try { return (int)ParseLabeledNumber(text, "Threads:", "status", "Threads", int.MaxValue); }
        catch (ProcFormatException) { return 1; }
    }

    /// <summary>
    /// How many PID namespaces deep a process is: the fields of "NSpid:" in /proc/PID/status (one per
    /// namespace, outermost first); 1 when the line is missing (kernels before 4.1).
    /// </summary>
    public static int ParseStatusNsPidLevels(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("NSpid:", StringComparison.Ordinal)) continue;
            Span<Range> fields = stackalloc Range[64];
            return Math.Max(1, line["NSpid:".Length..].SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries));
        }
        return 1;
    }

    /// <summary>"btime 1795240412" from /proc/stat: boot time in unix seconds, at most year 9999.</summary>
    public static long ParseBootTime(string text, string fileName) =>
        (long)ParseLabeledNumber(text, "btime ", fileName, "btime", MaxUnixSeconds);

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
            if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                throw new ProcFormatException(fileName, lineNumber, field, $"not a number: '{number}'");
            return v <= max ? v : throw new ProcFormatException(fileName, lineNumber, field, $"out of range: {number} (at most {max})");
        }
        throw new ProcFormatException(fileName, lineNumber, field, $"no '{label.Trim()}' line");
    }
}
