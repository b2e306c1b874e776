using System.Text;

namespace IpcAudit.Collector.Output;

/// <summary>
/// Strings from the system (command lines, comm) may hold terminal escape sequences and newlines:
/// what a person's terminal shows must not be steerable by whoever named a process.
/// </summary>
public static class TerminalText
{
    public static string Clean(string? text, int max = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var sb = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (sb.Length >= max) { sb.Append('…'); break; }
            sb.Append(char.IsControl(c) ? (c is '\n' or '\t' or '\r' ? ' ' : '?') : c);
        }
        return sb.ToString();
    }
}
