// PLACEHOLDER: replaced by the render branch at merge
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

public static class ReportTable
{
    public static void Write(TextWriter output, ReportDocument doc) =>
        output.WriteLine($"ReportTable placeholder: {doc.Orphans.Count} orphans, {doc.Pressure.Count} pressure rows");
}
