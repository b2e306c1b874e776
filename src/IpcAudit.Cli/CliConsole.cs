using IpcAudit.Collector.Output;

namespace IpcAudit.Cli;

/// <summary>
/// What the command tree talks to: stdout for results, stderr for everything else, whether stderr is
/// a terminal (progress lines only then, after <see cref="ProgressAfter"/>), and the zone times are
/// shown to people in.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal = false, TimeZoneInfo? Zone = null)
{
    public TimeSpan ProgressAfter { get; init; } = Progress.DefaultShowAfter;

    /// <summary>The process's own console: progress only when stderr is a terminal that can take it.</summary>
    public static CliConsole System() => new(Console.Out, Console.Error,
        ErrorIsTerminal: !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not ("dumb" or null or ""),
        Zone: TimeZoneInfo.Local);

    public LocalTime Times => new(Zone ?? TimeZoneInfo.Local);
}
