using System.Globalization;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>The id and key cells of a finding in the table and the page: a POSIX object has neither, its name stands in the key's place.</summary>
internal static class FindingLabel
{
    public static string Id(OrphanFinding f) => f.IsPosix ? "-" : f.Id.ToString(CultureInfo.InvariantCulture);
    public static string Key(OrphanFinding f) => f.Name ?? f.Key;
}
