using IpcAudit.Collector.Output;

namespace IpcAudit.Report.Output;

/// <summary>
/// Columns aligned for a terminal. Every cell goes through TerminalText.Clean here, so no caller can
/// let an escape sequence or a newline from the system into a row.
/// </summary>
internal sealed class TextTable
{
    private readonly (string Header, bool Right)[] _columns;
    private readonly List<string[]> _rows = [];

    public TextTable(params (string Header, bool Right)[] columns) => _columns = columns;

    public void Add(params string?[] cells)
    {
        if (cells.Length != _columns.Length) throw new ArgumentException($"{cells.Length} cells for {_columns.Length} columns");
        _rows.Add(cells.Select(c => TerminalText.Clean(c)).ToArray());
    }

    public void Write(TextWriter o, string indent = "  ")
    {
        var widths = _columns.Select((c, i) => _rows.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        Line(o, indent, _columns.Select(c => c.Header).ToArray(), widths);
        foreach (var r in _rows) Line(o, indent, r, widths);
    }

    private void Line(TextWriter o, string indent, string[] cells, int[] widths)
    {
        var parts = cells.Select((c, i) => _columns[i].Right ? c.PadLeft(widths[i]) : c.PadRight(widths[i]));
        o.Write(indent);
        o.Write(string.Join("  ", parts).TrimEnd());
        o.Write('\n');
    }
}
