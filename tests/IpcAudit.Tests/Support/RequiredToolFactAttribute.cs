using Xunit;

namespace IpcAudit.Tests.Support;

/// <summary>
/// A test that needs an outside tool (promtool, systemd-analyze). Skipped, saying what to install,
/// where the tool is missing; under CI (env CI set) never skipped, so a missing tool fails the build.
/// </summary>
public sealed class RequiredToolFactAttribute : FactAttribute
{
    public RequiredToolFactAttribute(string tool, string debianPackage)
    {
        if (RequiredTool.Find(tool) is null && !RequiredTool.InCi)
            Skip = $"{tool} not installed here (apt-get install {debianPackage}); CI installs it and never skips";
    }
}

public static class RequiredTool
{
    public static bool InCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 };

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    /// <summary>The tool's path; fails the test (CI) when it is missing.</summary>
    public static string Require(string tool, string debianPackage) =>
        Find(tool) ?? throw new InvalidOperationException($"{tool} is required under CI: .ci/run must install {debianPackage}");
}
