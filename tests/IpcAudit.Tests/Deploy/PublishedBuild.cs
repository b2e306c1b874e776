using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>
/// packaging/build, run once per test run into a temp folder: the NativeAOT executable with its SQLite
/// library and the .NET tool package, exactly as an administrator gets them. Slow (the native compile
/// takes 1-2 minutes on 2 cores), so every test that needs the artifacts shares this one build.
/// </summary>
public sealed class PublishedBuild : IDisposable
{
    public static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Nested builds must not inherit the test host's MSBuild settings, nor leave build servers
    /// behind holding our output pipe open.
    /// </summary>
    public static readonly Dictionary<string, string> NestedDotnet = new()
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    };

    private readonly TempDirectory _out = new();

    public PublishedBuild()
    {
        var build = BoundedProcess.Run(Path.Combine(TestPaths.RepoRoot, "packaging", "build"), [_out.Path], BuildLimit,
            NestedDotnet, unset: TestHostVariables());
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"packaging/build failed (exit {build.ExitCode}):\n{build.Stdout}\n{build.Stderr}");
    }

    public string Artifacts => _out.Path;

    public string SingleFile => Path.Combine(_out.Path, "linux-x64", "ipcaudit");

    public string SqliteLibrary => Path.Combine(_out.Path, "linux-x64", "libe_sqlite3.so");

    public string ToolPackage => Assert.Single(Directory.GetFiles(_out.Path, "IpcAudit.*.nupkg"));

    /// <summary>MSBuild's and VSTest's variables from the `dotnet test` that runs us.</summary>
    public static IEnumerable<string> TestHostVariables() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase));

    public void Dispose() => _out.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PublishedBuildCollection : ICollectionFixture<PublishedBuild>
{
    public const string Name = "published build";
}
