using System.Text.Json;
using IpcAudit.Cli;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>What an administrator installs, run the way they would run it: the native executable with its SQLite library, the tool from its package.</summary>
[Collection(PublishedBuildCollection.Name)]
public sealed class InstallTests(PublishedBuild build) : IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture => TestPaths.ProcFixture("modern");

    /// <summary>README's install: both files into one directory, a symlink on PATH.</summary>
    private (string Dir, string Link) InstallNative(bool withSqlite = true)
    {
        var lib = Directory.CreateDirectory(_dir.File("lib/ipcaudit")).FullName;
        var exe = Path.Combine(lib, "ipcaudit");
        File.Copy(build.SingleFile, exe);
        File.SetUnixFileMode(exe, (UnixFileMode)0x1ED); // 0755
        if (withSqlite) File.Copy(build.SqliteLibrary, Path.Combine(lib, "libe_sqlite3.so"));
        var bin = Directory.CreateDirectory(_dir.File("bin")).FullName;
        var link = Path.Combine(bin, "ipcaudit");
        File.CreateSymbolicLink(link, exe);
        return (lib, link);
    }

    // No dotnet on PATH, no DOTNET_ROOT, and a home that does not exist (as root, the old single file
    // created it to unpack SQLite into): a native executable needs none of them.
    private string MissingHome => _dir.File("no-home");
    private Dictionary<string, string> NoHome => new() { ["HOME"] = MissingHome, ["PATH"] = "/usr/bin:/bin", ["TZ"] = "UTC" };
    private static readonly string[] NoDotnet = ["DOTNET_ROOT", "DOTNET_HOST_PATH", "DOTNET_BUNDLE_EXTRACT_BASE_DIR", "XDG_STATE_HOME"];

    [Fact]
    public void NativeExecutableIsSmallAndCarriesNoDotnetRuntime()
    {
        var info = new FileInfo(build.SingleFile);
        Assert.InRange(info.Length, 1, 20L * 1024 * 1024);
        var bytes = File.ReadAllBytes(build.SingleFile);
        Assert.Equal("\u007fELF"u8.ToArray(), bytes[..4]);
        // A .NET single-file bundle or apphost names the host libraries it loads; NativeAOT code has none.
        foreach (var host in new[] { "libhostfxr.so", "libcoreclr.so", "libclrjit.so" })
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(host)) < 0, $"{host} named in the executable");
        Assert.Equal(["ipcaudit", "libe_sqlite3.so"], Directory.GetFileSystemEntries(Path.GetDirectoryName(build.SingleFile)!)
            .Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NativeExecutableRunsThroughItsSymlinkWithoutDotnetForAUserWithoutAHome()
    {
        var (lib, exe) = InstallNative();
        var cwd = Directory.CreateDirectory(_dir.File("cwd")).FullName;

        var version = BoundedProcess.Run(exe, ["--version"], RunLimit, NoHome, workingDirectory: cwd, unset: NoDotnet);
        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.Equal(CommandTree.Version, version.Stdout.Trim());

        var db = _dir.File("a.db");
        var collect = BoundedProcess.Run(exe, ["collect", "--db", db, "--proc-root", Fixture, "--at", "2026-11-21T06:00:00Z", "--json", "--quiet"],
            RunLimit, NoHome, workingDirectory: cwd, unset: NoDotnet);
        Assert.True(collect.ExitCode == 0, collect.Stderr);
        Assert.Equal("", collect.Stderr);
        using (var doc = JsonDocument.Parse(collect.Stdout))
            Assert.Equal("ipc-fixture-01", doc.RootElement.GetProperty("host").GetString());

        var show = BoundedProcess.Run(exe, ["show", "--db", db], RunLimit, NoHome, workingDirectory: cwd, unset: NoDotnet);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains("taken 2026-11-21 06:00:00 UTC", show.Stdout);

        // Nothing unpacked or written anywhere but the database: no ~/.net, nothing beside the binary.
        Assert.False(Directory.Exists(MissingHome));
        Assert.Equal(["ipcaudit", "libe_sqlite3.so"], Directory.GetFileSystemEntries(lib).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(cwd));
    }

    [Fact]
    public void NativeExecutableWithoutItsSqliteLibrarySaysSoInOneLine()
    {
        var (lib, exe) = InstallNative(withSqlite: false);
        var db = _dir.File("a.db");
        var run = BoundedProcess.Run(exe, ["collect", "--db", db, "--proc-root", Fixture], RunLimit, NoHome, unset: NoDotnet);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"ipcaudit: SQLite's library libe_sqlite3.so is not in {lib}: install it beside the ipcaudit executable (README: Install and schedule)",
            run.Stderr.TrimEnd('\n'));
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void NativeExecutableUpgradesTheOldDatabaseAndReportsItInEveryFormat()
    {
        // CsvHelper, System.Text.Json, System.CommandLine and SQLite, compiled ahead of time: what
        // 0.1.0 reported from its database, this build reports the same (Fixtures/db/README.md).
        var (_, exe) = InstallNative();
        var fixtures = Path.Combine(TestPaths.Fixtures, "db");
        var db = _dir.File("old.db");
        File.Copy(Path.Combine(fixtures, "v0.1.0-schema1.db"), db);
        var collect = BoundedProcess.Run(exe, ["collect", "--db", db, "--proc-root", Fixture, "--at", "2026-11-21T06:25:00Z", "--quiet"],
            RunLimit, NoHome, unset: NoDotnet);
        Assert.True(collect.ExitCode == 0, collect.Stderr);

        string[] window = ["report", "--db", db, "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-21T06:20:00Z", "--orphan-age", "1m"];
        var json = BoundedProcess.Run(exe, [.. window, "--format", "json"], RunLimit, NoHome, unset: NoDotnet);
        Assert.True(json.ExitCode == 0, json.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(fixtures, "v0.1.0-schema1.report.json")), NamespaceFields.Without(json.Stdout));

        var csv = BoundedProcess.Run(exe, [.. window, "--format", "csv", "--output", _dir.File("csv")], RunLimit, NoHome, unset: NoDotnet);
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        // Schema-1 history recorded no parents and no holders: what 0.1.0 called orphans is idle now,
        // each with what a verdict would need (README "Orphans, idle objects and evidence").
        const string header = "verdict,host,kind,id,key,owner,owner_name,application,bytes,first_seen,unused_since,orphaned_since,last_operation,age_seconds,"
                              + "creator_pid,creator_alive,reason,evidence,missing,processes,suggested_command,name";
        // Each CSV starts with its '#' comment line (window, hosts, generation time), then the header.
        Assert.Equal([header], File.ReadAllLines(_dir.File("csv/orphans.csv")).Skip(1));
        var idle = File.ReadAllLines(_dir.File("csv/idle.csv")).Skip(1).ToArray();
        Assert.Equal(header, idle[0]);
        Assert.Equal(50, idle.Length - 1);
        Assert.Contains(idle, l => l.StartsWith("idle,old-live,shm,15,0x00000000,0,,,65536,", StringComparison.Ordinal));

        var html = BoundedProcess.Run(exe, [.. window, "--format", "html", "--output", _dir.File("r.html")], RunLimit, NoHome, unset: NoDotnet);
        Assert.True(html.ExitCode == 0, html.Stderr);
        Assert.Contains("<h2>Idle (50)</h2>", File.ReadAllText(_dir.File("r.html")));
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
