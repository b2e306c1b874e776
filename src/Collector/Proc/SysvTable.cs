using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The layout shared by /proc/sysvipc/{shm,sem,msg}: a header line of column names, then one
/// space-aligned row per object, every line ending in '\n'. Columns are found by name, because
/// kernels before 2.6.32 print shm without rss/swap and a future kernel may append more.
/// Numbers are taken only as the kernel prints them (seq_printf %u/%lu/%llu: decimal digits; %d
/// only for the key): a sign, a NUL or a no-break space means the file is not what the kernel wrote.
/// </summary>
internal sealed class SysvTable
{
    private readonly string[] _columns;
    private readonly int _required;

    /// <param name="required">Columns that must be in the header, space separated; the second is the object's id.</param>
    /// <param name="optional">Columns that may be absent (the row then reports them as null).</param>
    public SysvTable(string required, string optional = "")
    {
        var req = required.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _required = req.Length;
        _columns = [.. req, .. optional.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>The id column (shmid, semid, msqid): unique within one file.</summary>
    private const int IdColumn = 1;

    /// <summary>Parses every row with <paramref name="parseRow"/>; columns are addressed by their index in the constructor's lists.</summary>
    public List<T> Parse<T>(string text, string fileName, RowParser<T> parseRow)
    {
        var all = text.AsSpan();
        // The kernel ends every line, the header included, with '\n': text without one was cut short
        // (inside the header, it may still hold every required column and silently lose the rest).
        if (all.Length > 0 && all[^1] != '\n')
            throw new ProcFormatException(fileName, all.Count('\n') + 1, LastLineField(all),
                "the file ends inside a line (no newline at the end): cut short");
        var body = all.IsEmpty ? all : all[..^1];
        var lines = body.Split('\n');
        lines.MoveNext();
        var header = WithoutCr(body[lines.Current]);

        var width = CountFields(header);
        Span<Range> fields = width <= 32 ? stackalloc Range[32] : new Range[width];
        fields = fields[..width];
        Split(header, fields);
        var positions = MapHeader(header, fields, fileName);

        var rows = new List<T>();
        var lineOfId = new Dictionary<int, int>();
        var lineNumber = 1;
        while (lines.MoveNext())
        {
            var line = WithoutCr(body[lines.Current]);
            lineNumber++;
            // A blank line or a CRLF ending (a copy edited elsewhere) changes no value: skipped, as before.
            if (!line.ContainsAnyExcept(' ')) continue;
            var found = CountFields(line);
            if (found != width)
                throw new ProcFormatException(fileName, lineNumber, "columns", $"expected {width} values, found {found}");
            Split(line, fields);
            var row = new SysvRow(line, fields, positions, _columns, fileName, lineNumber);
            var id = row.Int(IdColumn);
            if (!lineOfId.TryAdd(id, lineNumber))
                throw new ProcFormatException(fileName, lineNumber, _columns[IdColumn],
                    $"duplicate id {id.ToString(CultureInfo.InvariantCulture)} (also on line {lineOfId[id].ToString(CultureInfo.InvariantCulture)})");
            rows.Add(parseRow(row));
        }
        return rows;
    }

    private static ReadOnlySpan<char> WithoutCr(ReadOnlySpan<char> line) => line.EndsWith('\r') ? line[..^1] : line;

    private static string LastLineField(ReadOnlySpan<char> text) => text.Count('\n') == 0 ? "header" : "columns";

    private int[] MapHeader(ReadOnlySpan<char> header, ReadOnlySpan<Range> fields, string fileName)
    {
        var positions = new int[_columns.Length];
        for (var c = 0; c < _columns.Length; c++)
        {
            positions[c] = -1;
            for (var f = 0; f < fields.Length; f++)
                if (header[fields[f]].SequenceEqual(_columns[c]))
                {
                    if (positions[c] >= 0) throw new ProcFormatException(fileName, 1, _columns[c], "twice in the header");
                    positions[c] = f;
                }
            if (positions[c] < 0 && c < _required)
                throw new ProcFormatException(fileName, 1, _columns[c], "missing from header");
        }
        return positions;
    }

    // Only the space separates: the kernel pads with spaces and prints no other blank.
    private static int CountFields(ReadOnlySpan<char> line)
    {
        var count = 0;
        var inField = false;
        foreach (var ch in line)
        {
            var blank = ch == ' ';
            if (!blank && !inField) count++;
            inField = !blank;
        }
        return count;
    }

    private static void Split(ReadOnlySpan<char> line, Span<Range> fields)
    {
        var f = 0;
        var i = 0;
        while (f < fields.Length)
        {
            while (line[i] == ' ') i++;
            var start = i;
            while (i < line.Length && line[i] != ' ') i++;
            fields[f++] = start..i;
        }
    }
}

internal delegate T RowParser<T>(SysvRow row);

/// <summary>One data row; every accessor names the file, line and column when the text is not a number the kernel prints.</summary>
internal readonly ref struct SysvRow(
    ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int[] positions, string[] names, string fileName, int lineNumber)
{
    private readonly ReadOnlySpan<char> _line = line;
    private readonly ReadOnlySpan<Range> _fields = fields;

    public bool Has(int column) => positions[column] >= 0;

    private ReadOnlySpan<char> Text(int column) => _line[_fields[positions[column]]];

    /// <summary>An id, pid or count the kernel prints unsigned that fits an int (ids, pids, nsems).</summary>
    public int Int(int column) => Unsigned(column) is var v && v <= int.MaxValue ? (int)v : throw OutOfRange(column, int.MaxValue);

    public uint UInt(int column) => Unsigned(column) is var v && v <= uint.MaxValue ? (uint)v : throw OutOfRange(column, uint.MaxValue);

    public long Long(int column) => Unsigned(column) is var v && v <= long.MaxValue ? (long)v : throw OutOfRange(column, long.MaxValue);

    /// <summary>
    /// A byte or message count (size, rss, swap, cbytes, qnum). The kernel caps a segment at
    /// MAX_LFS_FILESIZE (2^63 - 1) and a queue far below, so a value at or above 2^63 cannot come from
    /// it: malformed, rather than stored as a number SQLite's signed INTEGER would turn negative.
    /// </summary>
    public ulong ULong(int column) => Unsigned(column) is var v && v <= long.MaxValue ? v : throw OutOfRange(column, long.MaxValue);

    public ulong? OptionalULong(int column) => Has(column) ? ULong(column) : null;

    /// <summary>The kernel prints key_t as signed decimal (0xdeadbeef is -559038737); also accept the unsigned form.</summary>
    public uint Key(int column)
    {
        var text = Text(column);
        var negative = text.Length > 1 && text[0] == '-';
        var magnitude = negative ? text[1..] : text;
        if (!IsDigits(magnitude) || !ulong.TryParse(magnitude, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            throw NotANumber(column);
        if (negative ? v > 1UL << 31 : v > uint.MaxValue) throw OutOfRange(column, uint.MaxValue);
        return negative ? unchecked((uint)-(long)v) : (uint)v;
    }

    /// <summary>Octal mode text including SHM_DEST/SHM_LOCKED ("1666", "2600").</summary>
    public int Mode(int column)
    {
        var text = Text(column);
        if (text.Length > 7) throw NotANumber(column);
        foreach (var ch in text)
            if (ch is < '0' or > '7') throw NotANumber(column);
        return IpcMode.ParseOctal(text);
    }

    /// <summary>Unix seconds (%llu); 0 means "never" and becomes null.</summary>
    public DateTimeOffset? Time(int column)
    {
        var seconds = Unsigned(column);
        if (seconds == 0) return null;
        return seconds <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
            : throw new ProcFormatException(fileName, lineNumber, names[column], $"time out of range: '{Text(column)}'");
    }

    /// <summary>Decimal digits only: .NET's own parsers also take a sign, surrounding blanks and trailing NULs.</summary>
    private ulong Unsigned(int column)
    {
        var text = Text(column);
        if (!IsDigits(text)) throw NotANumber(column);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw OutOfRange(column, ulong.MaxValue);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private ProcFormatException NotANumber(int column) =>
        new(fileName, lineNumber, names[column], $"not a number: '{Shown(Text(column))}'");

    private ProcFormatException OutOfRange(int column, ulong max) =>
        new(fileName, lineNumber, names[column], $"out of range: '{Shown(Text(column))}' (at most {max.ToString(CultureInfo.InvariantCulture)})");

    /// <summary>A field quoted in a message: at most 40 characters (a mutated file may hold one huge "field").</summary>
    private static string Shown(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");
}
