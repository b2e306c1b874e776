namespace IpcAudit.Collector;

/// <summary>
/// An expected failure: the message is one line for the user, the exit code is what the process returns.
/// Anything else escaping to Main is a bug.
/// </summary>
public class IpcAuditException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>A /proc file that does not parse: names the file, the line and the field.</summary>
public sealed class ProcFormatException(string file, int line, string field, string detail)
    : IpcAuditException($"{file}:{line}: field '{field}': {detail}", ExitCodes.BadInput)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
}

public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Generic expected failure (I/O, database).</summary>
    public const int Failure = 1;
    /// <summary>Command-line usage error (System.CommandLine's own).</summary>
    public const int Usage = 2;
    /// <summary>Malformed input: a /proc file, a timestamp, a source database.</summary>
    public const int BadInput = 3;
    /// <summary>The database is not an IpcAudit database, is corrupt, or has a newer schema.</summary>
    public const int BadDatabase = 4;
    /// <summary>`report --fail-on` found what it was asked to fail on; `reap` skipped an object that changed before removal.</summary>
    public const int FindingsPresent = 10;
    /// <summary>Stopped by Ctrl-C (SIGINT) or SIGTERM: 128 + the signal number, as shells report it.</summary>
    public const int Interrupted = 130, Terminated = 143;

    /// <summary>One line each, for `ipcaudit --help`; README.md's Exit codes table says the same (a test keeps them together).</summary>
    public static IReadOnlyList<(int Code, string Meaning)> Meanings { get; } =
    [
        (Success, "success (warnings go to stderr)"),
        (Failure, "I/O or database failure (unwritable path, disk full, locked for over 30 s)"),
        (Usage, "command-line usage error"),
        (BadInput, "bad input: a malformed /proc file, a bad time"),
        (BadDatabase, "not an IpcAudit database, corrupt or damaged, or a newer schema"),
        (FindingsPresent, "report --fail-on found what it was told to fail on (what, on stderr); reap skipped an object that changed"),
        (Interrupted, "stopped by Ctrl-C (SIGINT); one line says what was and was not done"),
        (Terminated, "stopped by SIGTERM; one line says what was and was not done"),
    ];
}
