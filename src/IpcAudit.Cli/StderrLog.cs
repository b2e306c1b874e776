using IpcAudit.Collector.Output;

namespace IpcAudit.Cli;

/// <summary>
/// Everything that is not the command's result goes to stderr, prefixed "ipcaudit:": warnings unless
/// -q, explanations only with -v. Errors are not logged here: they are the exception's one line.
/// </summary>
public sealed class StderrLog(TextWriter stderr, bool quiet = false, bool verbose = false)
{
    public bool IsVerbose => verbose;

    /// <summary>The stream itself, for a line that must go out at once (a signal).</summary>
    public TextWriter Stderr => stderr;

    public void Warning(string text)
    {
        if (!quiet) stderr.WriteLine($"ipcaudit: warning: {TerminalText.Clean(text)}");
    }

    /// <summary>For outcomes that are not exceptions (an interrupted run, --fail-on): printed even with -q.</summary>
    public void Error(string text) => stderr.WriteLine($"ipcaudit: {TerminalText.Clean(text)}");

    public void Verbose(string text)
    {
        if (verbose) stderr.WriteLine($"ipcaudit: {TerminalText.Clean(text)}");
    }

    /// <summary>"0.412 ms" / "1.20 s": durations as -v prints them.</summary>
    public static string Duration(TimeSpan d) => d.TotalSeconds >= 1
        ? d.TotalSeconds.ToString("0.00 's'", System.Globalization.CultureInfo.InvariantCulture)
        : d.TotalMilliseconds.ToString("0.### 'ms'", System.Globalization.CultureInfo.InvariantCulture);
}
