using System.Diagnostics;
using IpcAudit.Tests.Support;

namespace IpcAudit.Tests.Kernel;

/// <summary>
/// What every kernel scenario script shares: a private IPC namespace (`unshare --ipc`), strict bash
/// with a log, ipc_scenario.py and the CLI in its environment, a time limit, and no child process
/// left running afterwards whatever happened.
/// </summary>
internal static class ScenarioShell
{
    public const string PidFile = "children.pids";

    public static readonly string ScenarioScript =
        Path.Combine(TestPaths.RepoRoot, "tests", "IpcAudit.Tests", "Kernel", "ipc_scenario.py");

    /// <summary>Strict mode, UTC, a log, and a trap that kills the children the steps left running.</summary>
    private const string Preamble = $$"""
        set -euo pipefail
        export TZ=UTC LC_ALL=C
        cd "$WORK"
        exec 2> script.log
        set -x
        stop_children() {
          if [ -f {{PidFile}} ]; then
            while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < {{PidFile}}
            : > {{PidFile}}
          fi
        }
        trap stop_children EXIT
        touch made.jsonl

        """;

    /// <summary>One ipc_scenario.py step; what it made is appended to made.jsonl and its id lands in $id{index}.</summary>
    public static string Step(int index, string arguments) =>
        $"id{index}=$(python3 \"$SCENARIO\" {arguments} | tee -a made.jsonl | sed -n 's/.*\"id\": \\([0-9]*\\).*/\\1/p')";

    /// <summary>Runs the preamble and <paramref name="body"/> in <paramref name="work"/>; a failure or time-out carries the log's tail.</summary>
    /// <param name="unshare">unshare's options; a private IPC namespace unless a test needs more (its own PID namespace and /proc).</param>
    public static void Run(TempDirectory work, string body, TimeSpan limit, string what, IReadOnlyList<string>? unshare = null)
    {
        var script = work.File("script.sh");
        File.WriteAllText(script, Preamble + body);
        var environment = new Dictionary<string, string>
        {
            ["WORK"] = work.Path,
            ["SCENARIO"] = ScenarioScript,
            ["DOTNET"] = BoundedProcess.Dotnet,
            ["CLI"] = BoundedProcess.CliDll,
            ["IPC_SCENARIO_PIDFILE"] = work.File(PidFile),
        };
        try
        {
            var bash = BoundedProcess.Run("unshare", [.. unshare ?? ["--ipc"], "bash", script], limit, environment);
            if (bash.ExitCode != 0)
                throw new InvalidOperationException($"{what} failed (exit {bash.ExitCode}):\n{bash.Stderr}{Tail(work.File("script.log"))}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}:\n{Tail(work.File("script.log"))}");
        }
        finally
        {
            KillLeftoverChildren(work.File(PidFile));
        }
    }

    public static string Tail(string file) =>
        File.Exists(file) ? string.Join('\n', File.ReadLines(file).TakeLast(40)) : $"({Path.GetFileName(file)} missing)";

    /// <summary>Only when bash was killed before its trap ran; a pid is killed only if it still runs ipc_scenario.py.</summary>
    private static void KillLeftoverChildren(string pidFile)
    {
        if (!File.Exists(pidFile)) return;
        foreach (var line in File.ReadAllLines(pidFile))
        {
            if (!int.TryParse(line, out var pid)) continue;
            try
            {
                if (!File.ReadAllText($"/proc/{pid}/cmdline").Contains("ipc_scenario.py")) continue;
                using var child = Process.GetProcessById(pid);
                child.Kill();
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException
                                          or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }
}
