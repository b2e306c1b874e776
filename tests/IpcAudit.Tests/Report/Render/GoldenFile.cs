using System.Text;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Report.Render;

/// <summary>
/// Committed expected output, compared byte for byte. IPCAUDIT_UPDATE_GOLDEN=1 rewrites the files
/// instead (see Golden/README.md); review the diff before committing it.
/// </summary>
public static class GoldenFile
{
    public static string Folder => Path.Combine(TestPaths.RepoRoot, "tests", "IpcAudit.Tests", "Report", "Render", "Golden");

    public static bool Updating => Environment.GetEnvironmentVariable("IPCAUDIT_UPDATE_GOLDEN") == "1";

    public static void AssertMatches(string name, string actual) => AssertMatches(name, Encoding.UTF8.GetBytes(actual));

    public static void AssertMatches(string name, byte[] actual)
    {
        var path = Path.Combine(Folder, name);
        if (Updating)
        {
            File.WriteAllBytes(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with IPCAUDIT_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllBytes(path);
        if (expected.AsSpan().SequenceEqual(actual)) return;
        var at = FirstDifference(expected, actual);
        Assert.Fail($"{name} differs from the golden file at byte {at}:\n" +
            $"expected: {Excerpt(expected, at)}\nactual:   {Excerpt(actual, at)}\n" +
            "If the change is intended, rerun with IPCAUDIT_UPDATE_GOLDEN=1 and review the diff.");
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return n;
    }

    private static string Excerpt(byte[] bytes, int at)
    {
        var start = Math.Max(0, at - 40);
        var text = Encoding.UTF8.GetString(bytes, start, Math.Min(bytes.Length - start, 80));
        return text.Replace("\r", "\\r").Replace("\n", "\\n");
    }
}
