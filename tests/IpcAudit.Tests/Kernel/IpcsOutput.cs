using System.Globalization;
using System.Text.RegularExpressions;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// Reads what util-linux 2.38 `ipcs` prints, by section title, column header and "label = value",
/// never by character position: its rows do not line up with their headers (PIDs are right-aligned).
/// </summary>
internal static partial class IpcsOutput
{
    /// <summary>Lines under each "------ Title --------" banner, keyed by title ("Shared Memory Segments").</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Sections(string text)
    {
        var sections = new Dictionary<string, IReadOnlyList<string>>();
        List<string>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            var banner = Banner().Match(line);
            if (banner.Success) sections[banner.Groups[1].Value] = current = [];
            else if (current != null && line.Length > 0) current.Add(line);
        }
        return sections;
    }

    public static IReadOnlyList<string> Section(string text, string title) =>
        Sections(text).TryGetValue(title, out var lines)
            ? lines
            : throw new FormatException($"ipcs output has no section '{title}':\n{text}");

    /// <summary>
    /// A header line and rows split on whitespace. The last column takes whatever is left
    /// ("dest locked"), and is empty when a row stops short (a blank status).
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Table(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) throw new FormatException("ipcs table without a header");
        var columns = Words(lines[0]);
        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var words = Words(line);
            var row = new Dictionary<string, string>();
            for (var i = 0; i < columns.Length; i++)
                row[columns[i]] = i < columns.Length - 1
                    ? (i < words.Length ? words[i] : "")
                    : string.Join(' ', words.Skip(i));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The row whose <paramref name="column"/> equals <paramref name="value"/>.</summary>
    public static IReadOnlyDictionary<string, string> Row(IReadOnlyList<string> lines, string column, string value) =>
        Table(lines).SingleOrDefault(r => r[column] == value)
        ?? throw new FormatException($"no row with {column} = {value} in:\n{string.Join('\n', lines)}");

    /// <summary>The `ipcs -t` row of object <paramref name="id"/> in a times section.</summary>
    public static (string[] Words, string[] Times) TimeRow(IReadOnlyList<string> lines, string id) =>
        TimeRow(lines.Skip(1).SingleOrDefault(l => Words(l) is [var first, ..] && first == id)
                ?? throw new FormatException($"no ipcs -t row for id {id} in:\n{string.Join('\n', lines)}"));

    /// <summary>
    /// A `ipcs -t` row: leading words, then times that are "Not set", "Nov 21 05:56:40" (shm, msg:
    /// no year) or "Sat Nov 21 05:56:40 2026" (sem). Returns the leading words and the times.
    /// </summary>
    public static (string[] Words, string[] Times) TimeRow(string line)
    {
        var times = TimeText().Matches(line);
        if (times.Count == 0) throw new FormatException($"no times in ipcs -t row '{line}'");
        return (Words(line[..times[0].Index]), times.Select(m => Collapse(m.Value)).ToArray());
    }

    /// <summary>"label = value" lines (`ipcs -u`, `ipcs -l`); lines without " = " end in their number ("pages allocated 16").</summary>
    public static IReadOnlyDictionary<string, string> Labels(IReadOnlyList<string> lines)
    {
        var labels = new Dictionary<string, string>();
        foreach (var line in lines)
        {
            var eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq >= 0) labels[Collapse(line[..eq])] = line[(eq + 3)..].Trim();
            else if (TrailingNumber().Match(line) is { Success: true } m) labels[Collapse(m.Groups[1].Value)] = m.Groups[2].Value;
        }
        return labels;
    }

    /// <summary>The leading number of a label's value ("200 bytes" is 200).</summary>
    public static ulong Number(IReadOnlyDictionary<string, string> labels, string label) =>
        labels.TryGetValue(label, out var value)
            ? ulong.Parse(Words(value)[0], CultureInfo.InvariantCulture)
            : throw new FormatException($"ipcs printed no '{label}'; it printed: {string.Join(", ", labels.Keys)}");

    /// <summary>
    /// `ipcs -m|-s|-q -i ID`: "name=value" pairs separated by tabs or ", " ("mode=0600, access_perms=0600",
    /// "nsems = 3", "att_time=Sat Nov 21 05:58:01 2026"), up to the semaphore table if there is one.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Details(string text)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("semnum", StringComparison.Ordinal)) break;
            foreach (var piece in line.Split(['\t', ',']))
                if (Pair().Match(piece) is { Success: true } m) pairs[m.Groups[1].Value] = Collapse(m.Groups[2].Value);
        }
        return pairs;
    }

    /// <summary>The per-semaphore table of `ipcs -s -i ID` (semnum value ncount zcount pid).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> SemaphoreTable(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        var header = lines.FindIndex(l => l.StartsWith("semnum", StringComparison.Ordinal));
        if (header < 0) throw new FormatException($"ipcs -s -i printed no semaphore table:\n{text}");
        return Table(lines[header..]);
    }

    /// <summary>A ctime()-style time with a year, as `ipcs -i` prints it (run with TZ=UTC); null for "Not set".</summary>
    public static DateTimeOffset? FullTime(string text) =>
        Collapse(text) is "Not set"
            ? null
            : DateTimeOffset.ParseExact(Collapse(text), "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal);

    /// <summary>How `ipcs -t` prints a shm or msg time: ctime() without weekday and year.</summary>
    public static string ShortTime(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture) : "Not set";

    /// <summary>
    /// "max total shared memory (bytes)" of `ipcs -l -b`: shmall pages times the page size, or, when
    /// that overflows 64 bits (the kernel default shmall does), the largest multiple of the page size.
    /// </summary>
    public static ulong TotalSharedMemoryBytes(ulong shmall, ulong pageSize)
    {
        var bytes = (UInt128)shmall * pageSize;
        return bytes > ulong.MaxValue ? ulong.MaxValue - ulong.MaxValue % pageSize : (ulong)bytes;
    }

    /// <summary>Octal permissions as ipcs prints them ("600", "0600"), as a number.</summary>
    public static int Octal(string text) => Convert.ToInt32(text, 8);

    private static string[] Words(string line) => line.Split(' ', '\t').Where(w => w.Length > 0).ToArray();

    private static string Collapse(string text) => string.Join(' ', Words(text));

    [GeneratedRegex(@"^-+ (.+?) -+$")]
    private static partial Regex Banner();

    [GeneratedRegex(@"Not set|[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}|[A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d")]
    private static partial Regex TimeText();

    [GeneratedRegex(@"^(.*?\S)\s+(\d+)$")]
    private static partial Regex TrailingNumber();

    [GeneratedRegex(@"^\s*([a-z_]+)\s*=\s*(.*?)\s*$")]
    private static partial Regex Pair();
}

/// <summary>
/// How ipcs titles and names one kind of object, and its JSON array in `collect --json`.
/// Semaphore times carry a year in `ipcs -t`; shm and msg times do not.
/// </summary>
internal sealed record IpcsKind(
    string Json, string Option, string IdColumn, string Objects, string Owners, string Times, string? Pids,
    string[] TimeFields, bool TimesHaveYear)
{
    public static readonly IpcsKind Shm = new("shm", "-m", "shmid", "Shared Memory Segments",
        "Shared Memory Segment Creators/Owners", "Shared Memory Attach/Detach/Change Times",
        "Shared Memory Creator/Last-op PIDs", ["atime", "dtime", "ctime"], TimesHaveYear: false);

    public static readonly IpcsKind Sem = new("sem", "-s", "semid", "Semaphore Arrays",
        "Semaphore Arrays Creators/Owners", "Semaphore Operation/Change Times",
        null, ["otime", "ctime"], TimesHaveYear: true);

    public static readonly IpcsKind Msg = new("msg", "-q", "msqid", "Message Queues",
        "Message Queues Creators/Owners", "Message Queues Send/Recv/Change Times",
        "Message Queues PIDs", ["stime", "rtime", "ctime"], TimesHaveYear: false);
}
