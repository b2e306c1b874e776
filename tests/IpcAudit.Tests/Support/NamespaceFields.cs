using Xunit;

namespace IpcAudit.Tests.Support;

/// <summary>
/// 0.1.0's JSON beside this build's: schema 7 added `namespace` and `namespace_label` to every report row
/// and `namespace_label` to a snapshot, one line each; everything else must read back as 0.1.0 wrote it.
/// </summary>
public static class NamespaceFields
{
    /// <summary>The JSON without those lines; fails when there were none (so the comparison cannot pass by accident of format).</summary>
    public static string Without(string json)
    {
        var lines = json.Split('\n');
        var kept = lines.Where(l => !l.TrimStart().StartsWith("\"namespace\": ", StringComparison.Ordinal)
                                    && !l.TrimStart().StartsWith("\"namespace_label\": ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Length > kept.Count, "no namespace fields in:\n" + json);
        return string.Join('\n', kept);
    }
}
