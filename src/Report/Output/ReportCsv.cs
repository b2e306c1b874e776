// PLACEHOLDER: replaced by the render branch at merge
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

public static class ReportCsv
{
    public static void WriteFolder(string folder, ReportDocument doc)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "orphans.csv", "growth.csv", "pressure.csv", "churn.csv" })
            File.WriteAllText(Path.Combine(folder, name), "placeholder\n");
    }
}
