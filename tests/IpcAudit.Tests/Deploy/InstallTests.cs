using System.Text.Json;
using IpcAudit.Cli;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>What an administrator installs, run the way they would run it: the single file copied alone into a directory, the tool from its package.</summary>
[Collection(PublishedBuildCollection.Name)]
public sealed class InstallTests(PublishedBuild build) : IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture => TestPaths.ProcFixture("modern");

    [Fact]
    public void SingleFileRunsAloneInAnEmptyDirectoryWithoutDotnet()
    {
        var bin = Directory.CreateDirectory(_dir.File("bin")).FullName;
        var exe = Path.Combine(bin, "ipcaudit");
        File.Copy(build.SingleFile, exe);
        File.SetUnixFileMode(exe, (UnixFileMode)0x1ED); // 0755
        var home = Directory.CreateDirectory(_dir.File("home")).FullName;
        // No dotnet on PATH, no DOTNET_ROOT: a self-contained file needs neither.
        var env = new Dictionary<string, string> { ["HOME"] = home, ["PATH"] = "/usr/bin:/bin", ["TZ"] = "UTC" };
        string[] unset = ["DOTNET_ROOT", "DOTNET_HOST_PATH", "DOTNET_BUNDLE_EXTRACT_BASE_DIR"];

        var version = BoundedProcess.Run(exe, ["--version"], RunLimit, env, workingDirectory: bin, unset: unset);
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.Equal(CommandTree.Version, version.Stdout.Trim());

        var db = _dir.File("a.db");
        var collect = BoundedProcess.Run(exe, ["collect", "--db", db, "--proc-root", Fixture, "--at", "2026-11-21T06:00:00Z", "--json"],
            RunLimit, env, workingDirectory: bin, unset: unset);
        Assert.True(collect.ExitCode == 0, collect.Stderr);
        using (var doc = JsonDocument.Parse(collect.Stdout))
            Assert.Equal("ipc-fixture-01", doc.RootElement.GetProperty("host").GetString());

        var show = BoundedProcess.Run(exe, ["show", "--db", db], RunLimit, env, workingDirectory: bin, unset: unset);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains("taken 2026-11-21 06:00:00 UTC", show.Stdout);

        // Nothing was unpacked beside the binary: SQLite's native library went under $HOME/.net.
        Assert.Equal(["ipcaudit"], Directory.GetFileSystemEntries(bin).Select(Path.GetFileName));
    }

    [Fact]
    public void SingleFileUnpacksToTheServiceCacheDirectoryWhenHomeIsReadOnly()
    {
        // The systemd unit's situation: ProtectHome=read-only, DOTNET_BUNDLE_EXTRACT_BASE_DIR=/var/cache/ipcaudit.
        var cache = Directory.CreateDirectory(_dir.File("cache")).FullName;
        var env = new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = cache };
        var run = BoundedProcess.Run(build.SingleFile, ["collect", "--db", _dir.File("a.db"), "--proc-root", Fixture, "--quiet"], RunLimit, env);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("", run.Stdout + run.Stderr);
        Assert.Contains(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories), f => f.EndsWith("libe_sqlite3.so", StringComparison.Ordinal));
    }

    [Fact]
    public void ToolInstallsFromThePackageAndCollects()
    {
        var tools = _dir.File("tools");
        // Only the artifacts folder as a source, and a private package cache: a stale IpcAudit of the
        // same version in ~/.nuget/packages must not be what gets installed.
        var config = _dir.File("nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="artifacts" value="{build.Artifacts}" /></packageSources></configuration>
            """);
        var env = new Dictionary<string, string>(PublishedBuild.NestedDotnet) { ["NUGET_PACKAGES"] = _dir.File("packages") };
        var install = BoundedProcess.Run(BoundedProcess.Dotnet,
            ["tool", "install", "--tool-path", tools, "--add-source", build.Artifacts, "--configfile", config, "IpcAudit"],
            TimeSpan.FromMinutes(2), env, unset: PublishedBuild.TestHostVariables());
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        Assert.Contains("ipcaudit", install.Stdout);

        var exe = Path.Combine(tools, "ipcaudit");
        var version = BoundedProcess.Run(exe, ["--version"], RunLimit);
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.Equal(CommandTree.Version, version.Stdout.Trim());

        var db = _dir.File("a.db");
        var collect = BoundedProcess.Run(exe, ["collect", "--db", db, "--proc-root", Fixture, "--at", "2026-11-21T06:00:00Z"], RunLimit);
        Assert.True(collect.ExitCode == 0, collect.Stderr);
        Assert.Equal("", collect.Stdout);
        var list = BoundedProcess.Run(exe, ["snapshots", "--db", db], RunLimit, new Dictionary<string, string> { ["TZ"] = "UTC" });
        Assert.Contains("ipc-fixture-01", list.Stdout);
    }
}
