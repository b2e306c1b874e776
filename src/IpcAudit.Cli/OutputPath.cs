using System.Text.RegularExpressions;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;

namespace IpcAudit.Cli;

/// <summary>
/// Where `--output` goes: "-" or nothing is stdout; a file is written whole (temp file + rename) into
/// a folder that must already exist — a mistyped path is an error, not a tree of new folders — and a
/// failure names the path the user gave, not our temp file.
/// </summary>
public static partial class OutputPath
{
    public static bool IsStdout(string? path) => string.IsNullOrEmpty(path) || path == "-";

    /// <summary>The full path, once its parent folder is known to exist.</summary>
    public static string Check(string path, string option = "--output")
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        if (parent is not null && !Directory.Exists(parent))
            throw new IpcAuditException($"{option} {path}: folder {parent} does not exist (create it first)", ExitCodes.BadInput);
        return full;
    }

    /// <returns>What was written, for -v: "stdout" or the full path.</returns>
    public static string Write(string? path, TextWriter stdout, Action<TextWriter> write)
    {
        if (IsStdout(path))
        {
            write(stdout);
            stdout.Flush();
            return "stdout";
        }
        var full = Check(path!);
        if (Directory.Exists(full))
            throw new IpcAuditException($"--output {path}: is a folder (give a file name)", ExitCodes.BadInput);
        Guard(full, () => AtomicFile.Write(full, write));
        return full;
    }

    /// <summary>Runs a write, turning an I/O failure into one line that names <paramref name="full"/>.</summary>
    public static void Guard(string full, Action write)
    {
        try
        {
            write();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IpcAuditException($"{full}: cannot write: permission denied", ExitCodes.Failure, e);
        }
        catch (IOException e)
        {
            throw new IpcAuditException($"{full}: cannot write: {TempPath().Replace(e.Message, $"'{full}'").TrimEnd('.')}", ExitCodes.Failure, e);
        }
    }

    /// <summary>AtomicFile's temp name (".NAME.PID.tmp") as .NET quotes it in messages.</summary>
    [GeneratedRegex(@"'[^']*\.\d+\.tmp'")]
    private static partial Regex TempPath();
}
