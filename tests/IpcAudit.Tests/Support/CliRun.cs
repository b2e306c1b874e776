using IpcAudit.Cli;

namespace IpcAudit.Tests.Support;

/// <summary>Runs the command tree in-process with captured stdout/stderr, as a user would see them.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(params string[] args) => Of(args, zone: null);

    /// <param name="zone">The local zone times are shown in (default: the machine's).</param>
    /// <param name="stderrIsTerminal">Pretend stderr is a terminal: progress shows at once.</param>
    public static CliRun Of(string[] args, TimeZoneInfo? zone, bool stderrIsTerminal = false)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, stderrIsTerminal, zone) { ProgressAfter = TimeSpan.Zero };
        var code = CommandTree.Run(args, console);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
