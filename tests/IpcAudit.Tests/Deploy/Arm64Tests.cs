using System.Text.RegularExpressions;
using IpcAudit.Cli;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>
/// The linux-arm64 native executable, run under Debian's qemu-user-static: it starts, collects a saved
/// /proc and stores what the x86_64 build stores. Built once by .ci/run (IPCAUDIT_ARM64=1 packaging/build
/// into artifacts/), not inside the test run: cross-compiling takes minutes.
/// </summary>
public sealed class Arm64Tests : IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static string Executable => Path.Combine(TestPaths.RepoRoot, "artifacts", "linux-arm64", "ipcaudit");

    // qemu runs the arm64 loader and glibc from Debian's cross packages (libc6-arm64-cross).
    private static readonly Dictionary<string, string> Qemu = new() { ["QEMU_LD_PREFIX"] = "/usr/aarch64-linux-gnu", ["TZ"] = "UTC", ["HOME"] = "/nonexistent" };

    private static BoundedProcess RunArm64(params string[] args) =>
        BoundedProcess.Run(RequiredTool.Require("qemu-aarch64-static", "qemu-user-static"), [Executable, .. args], RunLimit, Qemu);

    /// <summary>Step durations differ between the two runs, nothing else may.</summary>
    private static string WithoutDurations(string json) => Regex.Replace(json, "\"duration_ms\": [0-9.]+", "\"duration_ms\": 0");

    [Arm64BuildFact]
    public void Arm64ExecutableIsAnArm64ElfThatPrintsItsVersion()
    {
        var header = File.ReadAllBytes(Executable)[..20];
        Assert.Equal(0xB7, header[18]); // e_machine = EM_AARCH64
        var version = RunArm64("--version");
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.Equal(CommandTree.Version, version.Stdout.Trim());
    }

    [Arm64BuildFact]
    public void Arm64CollectOfASavedProcStoresWhatTheX64BuildStores()
    {
        string[] collect = ["collect", "--proc-root", TestPaths.ProcFixture("modern"), "--at", "2026-11-21T06:00:00Z", "--quiet"];
        var armDb = _dir.File("arm64.db");
        var arm = RunArm64([.. collect, "--db", armDb]);
        Assert.True(arm.ExitCode == 0, arm.Stderr);
        var armShow = RunArm64("show", "--db", armDb, "--json");
        Assert.True(armShow.ExitCode == 0, armShow.Stderr);

        var x64Db = _dir.File("x64.db");
        Assert.Equal(0, CliRun.Of([.. collect, "--db", x64Db]).ExitCode);
        var x64Show = CliRun.Of("show", "--db", x64Db, "--json");
        Assert.Equal(0, x64Show.ExitCode);

        Assert.Contains("\"host\": \"ipc-fixture-01\"", armShow.Stdout);
        Assert.Equal(WithoutDurations(x64Show.Stdout), WithoutDurations(armShow.Stdout));
    }
}

/// <summary>Skipped, saying how to build it, when artifacts/linux-arm64/ipcaudit is absent here; under CI never skipped.</summary>
public sealed class Arm64BuildFactAttribute : FactAttribute
{
    public Arm64BuildFactAttribute()
    {
        if (RequiredTool.InCi) return;
        if (!File.Exists(Arm64Tests.Executable))
            Skip = "artifacts/linux-arm64/ipcaudit not built here (IPCAUDIT_ARM64=1 packaging/build, as .ci/run does)";
        else if (RequiredTool.Find("qemu-aarch64-static") is null)
            Skip = "qemu-aarch64-static not installed here (apt-get install qemu-user-static); CI installs it";
    }
}
