using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

/// <summary>Debian's chromium, run headless against a file, bounded in time, with a profile of its own.</summary>
public static class HeadlessChromium
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The chromium binary on PATH, or null when it is not installed.</summary>
    public static string? Binary { get; } = Find("chromium") ?? Find("chromium-browser");

    public static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Runs chromium on file://page with the given extra flags; throws (fails the test) after 60 s.</summary>
    public static BoundedProcess Run(TempDirectory tmp, string page, params string[] flags)
    {
        var binary = Binary ?? throw new InvalidOperationException(
            "chromium is not installed, and CI must have it: apt-get install chromium (.ci/run installs it)");
        string[] args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + tmp.File("profile"), .. flags, new Uri(page).AbsoluteUri,
        ];
        // Nothing of the browser's lands in the real home directory.
        var env = new Dictionary<string, string>
        {
            ["HOME"] = tmp.Path, ["XDG_CONFIG_HOME"] = tmp.File("config"), ["XDG_CACHE_HOME"] = tmp.File("cache"),
        };
        return BoundedProcess.Run(binary, args, Timeout, env);
    }

    /// <summary>
    /// The http/https requests in a net log (--log-net-log), each with its initiator: "not an origin"
    /// for the browser's own services, the page's origin ("null" for a file:// page) for what the page loads.
    /// </summary>
    public static IReadOnlyList<(string Url, string Initiator)> NetworkRequests(string netLogPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(netLogPath));
        var startJob = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var requests = new List<(string, string)>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() != startJob || !e.TryGetProperty("params", out var p)) continue;
            if (!p.TryGetProperty("url", out var url)) continue;
            var u = url.GetString() ?? "";
            if (!u.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) continue;
            requests.Add((u, p.TryGetProperty("initiator", out var i) ? i.GetString() ?? "" : ""));
        }
        return requests;
    }

    /// <summary>Requests the browser makes for itself (component updater, account check) whatever the page is.</summary>
    public const string BrowserInitiated = "not an origin";

    private static string? Find(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, name))
        .FirstOrDefault(File.Exists);
}

/// <summary>
/// A test that needs chromium: skipped with the reason when it is missing on a developer's machine,
/// run (and so failed) when CI is set, because CI must have it. xunit 2 has no runtime skip, so the
/// decision is made here, when the test is discovered.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Binary is null && !HeadlessChromium.InCi)
            Skip = "chromium is not installed (apt-get install chromium); with CI set this test fails instead";
    }
}
