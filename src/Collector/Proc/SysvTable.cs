using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The layout shared by /proc/sysvipc/{shm,sem,msg}: a header line of column names, then one
/// whitespace-aligned row per object. Columns are found by name, because kernels before
/// 2.6.32 print shm without rss/swap and a future kernel may append more.
/// </summary>
internal sealed class SysvTable
{
    private readonly string[] _columns;
    private readonly int _required;

    /// <param name="required">Columns that must be in the header, space separated.</param>
    /// <param name="optional">Columns that may be absent (the row then reports them as null).</param>
    public SysvTable(string required, string optional = "")
    {
        var req = required.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _required = req.Length;
        _columns = [.. req, .. optional.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Parses every row with <paramref name="parseRow"/>; columns are addressed by their index in the constructor's lists.</summary>
    public List<T> Parse<T>(string text, string fileName, RowParser<T> parseRow)
    {
        var lines = text.AsSpan().EnumerateLines();
        ReadOnlySpan<char> header = lines.MoveNext() ? lines.Current : default;

        var width = CountFields(header);
        Span<Range> fields = width <= 32 ? stackalloc Range[32] : new Range[width];
        fields = fields[..width];
        Split(header, fields);
        var positions = MapHeader(header, fields, fileName);

        var rows = new List<T>();
        var lineNumber = 1;
        foreach (var line in lines)
        {
            lineNumber++;
            if (line.IsWhiteSpace()) continue;
            var found = CountFields(line);
            if (found != width)
                throw new ProcFormatException(fileName, lineNumber, "columns", $"expected {width} values, found {found}");
            Split(line, fields);
            rows.Add(parseRow(new SysvRow(line, fields, positions, _columns, fileName, lineNumber)));
        }
        return rows;
    }

    private int[] MapHeader(ReadOnlySpan<char> header, ReadOnlySpan<Range> fields, string fileName)
    {
        var positions = new int[_columns.Length];
        for (var c = 0; c < _columns.Length; c++)
        {
            positions[c] = -1;
            for (var f = 0; f < fields.Length; f++)
                if (header[fields[f]].SequenceEqual(_columns[c])) { positions[c] = f; break; }
            if (positions[c] < 0 && c < _required)
                throw new ProcFormatException(fileName, 1, _columns[c], "missing from header");
        }
        return positions;
    }

    private static int CountFields(ReadOnlySpan<char> line)
    {
        var count = 0;
        var inField = false;
        foreach (var ch in line)
        {
            var blank = ch is ' ' or '\t';
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
            while (line[i] is ' ' or '\t') i++;
            var start = i;
            while (i < line.Length && line[i] is not (' ' or '\t')) i++;
            fields[f++] = start..i;
        }
    }
}

internal delegate T RowParser<T>(SysvRow row);

/// <summary>One data row; every accessor names the file, line and column when the text is not a number.</summary>
internal readonly ref struct SysvRow(
    ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int[] positions, string[] names, string fileName, int lineNumber)
{
    private readonly ReadOnlySpan<char> _line = line;
    private readonly ReadOnlySpan<Range> _fields = fields;

    public bool Has(int column) => positions[column] >= 0;

    private ReadOnlySpan<char> Text(int column) => _line[_fields[positions[column]]];

    public int Int(int column) =>
        int.TryParse(Text(column), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw NotANumber(column);

    public uint UInt(int column) =>
        uint.TryParse(Text(column), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw NotANumber(column);

    public long Long(int column) =>
        long.TryParse(Text(column), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw NotANumber(column);

    public ulong ULong(int column) =>
        ulong.TryParse(Text(column), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw NotANumber(column);

    public ulong? OptionalULong(int column) => Has(column) ? ULong(column) : null;

    /// <summary>The kernel prints key_t as signed decimal (0xdeadbeef is -559038737); also accept the unsigned form.</summary>
    public uint Key(int column)
    {
        var k = Long(column);
        return k is >= int.MinValue and <= uint.MaxValue ? unchecked((uint)k) : throw NotANumber(column);
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

    /// <summary>Unix seconds; 0 means "never" and becomes null.</summary>
    public DateTimeOffset? Time(int column)
    {
        var seconds = Long(column);
        if (seconds == 0) return null;
        return seconds is >= -62135596800 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ProcFormatException(fileName, lineNumber, names[column], $"time out of range: '{Text(column)}'");
    }

    private ProcFormatException NotANumber(int column) =>
        new(fileName, lineNumber, names[column], $"not a number: '{Text(column)}'");
}
