using System.Net;
using IpcAudit.Collector.Output;

namespace IpcAudit.Report.Output;

/// <summary>
/// Every string from the system (host names, keys, reasons, command lines) enters the page through
/// here: control characters replaced as on a terminal, then HTML-encoded, quotes included, so the
/// result is safe both as element text and inside a double-quoted attribute.
/// </summary>
internal static class HtmlText
{
    public static string Encode(string? text) => WebUtility.HtmlEncode(TerminalText.Clean(text));
}
