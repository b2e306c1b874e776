using System.Diagnostics;

namespace IpcAudit.Collector.Output;

/// <summary>
/// One self-updating line on stderr for long work (a merge of many databases, a report over months).
/// Shown only when the caller says stderr is a terminal: pipes, journald and cron mail never get
/// carriage returns. Quiet for the first <paramref name="showAfter"/> (half a second), so quick runs
/// never flicker; cleared on Dispose.
/// </summary>
public sealed class Progress(TextWriter stderr, bool enabled, TimeSpan? showAfter = null) : IDisposable
{
    public static readonly TimeSpan DefaultShowAfter = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastShown = TimeSpan.MinValue;
    private bool _visible;

    /// <summary>For callers that have no terminal: every call is a no-op.</summary>
    public static Progress None { get; } = new(TextWriter.Null, false);

    public bool Enabled { get; } = enabled;

    /// <summary>"merging 3/40 (7%) web3.db"; <paramref name="what"/> is cleaned of control characters.</summary>
    public void Report(string activity, long done, long total, string? what = null)
    {
        if (!Enabled) return;
        var now = _clock.Elapsed;
        if (now < (showAfter ?? DefaultShowAfter) || (_lastShown != TimeSpan.MinValue && now - _lastShown < Interval)) return;
        _lastShown = now;
        var percent = total > 0 ? $" ({100 * done / total}%)" : "";
        var line = $"{activity} {done}/{total}{percent}" + (what is null ? "" : " " + TerminalText.Clean(what, 60));
        stderr.Write("\r\u001b[K" + line);
        stderr.Flush();
        _visible = true;
    }

    /// <summary>Erases the line, e.g. before writing results to stdout on the same terminal.</summary>
    public void Clear()
    {
        if (!_visible) return;
        stderr.Write("\r\u001b[K");
        stderr.Flush();
        _visible = false;
    }

    public void Dispose() => Clear();
}
