using System.Diagnostics;

namespace IpcAudit.Tests.Support;

/// <summary>Runs a program with a hard time limit and captured output, so a hang fails a test instead of CI.</summary>
public sealed record BoundedProcess(int ExitCode, string Stdout, string Stderr)
{
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p ? p : "dotnet";

    /// <summary>The built CLI, as `dotnet exec` runs it.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "ipcaudit.dll");

    /// <param name="unset">Variables to remove from the inherited environment (e.g. the test host's MSBuild ones).</param>
    public static BoundedProcess Run(string file, IEnumerable<string> args, TimeSpan limit, IDictionary<string, string>? env = null,
        string? workingDirectory = null, IEnumerable<string>? unset = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in unset ?? []) start.Environment.Remove(name);
        if (env is not null) foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s");
        }
        return new BoundedProcess(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A bash script with the CLI available as "$DOTNET" exec "$CLI".</summary>
    public static BoundedProcess Bash(string script, TimeSpan limit, string[]? wrapper = null)
    {
        string[] args = [.. wrapper ?? [], "bash", "-euo", "pipefail", "-c", script];
        return Run(args[0], args[1..], limit, new Dictionary<string, string> { ["DOTNET"] = Dotnet, ["CLI"] = CliDll });
    }
}
