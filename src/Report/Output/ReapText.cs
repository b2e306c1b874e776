using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Model;
using IpcAudit.Report.Reap;

namespace IpcAudit.Report.Output;

/// <summary>`reap` for people: one line per object with what happened and why, its evidence indented below.</summary>
public static class ReapText
{
    public static void Write(TextWriter w, ReapResult r)
    {
        if (r.DryRun)
        {
            w.WriteLine(r.WouldRemove.Count == 0
                ? "dry run: no orphan to remove"
                : $"dry run: {r.WouldRemove.Count} orphan{Plural(r.WouldRemove.Count)} would be removed; run again with --yes to remove {(r.WouldRemove.Count == 1 ? "it" : "them")} (each is checked again first)");
            foreach (var i in r.WouldRemove) Item(w, "would remove", i, evidence: true);
        }
        else
        {
            w.WriteLine($"removed {r.Removed.Count}, skipped {r.Skipped.Count}, failed {r.Failed.Count}");
            foreach (var i in r.Removed) Item(w, "removed", i, evidence: true);
            foreach (var i in r.Skipped) Item(w, "skipped", i, evidence: false);
            foreach (var i in r.Failed) Item(w, "failed", i, evidence: false);
        }
        foreach (var i in r.Kept) Item(w, "kept (idle)", i, evidence: false);
    }

    private static void Item(TextWriter w, string what, ReapItem item, bool evidence)
    {
        var f = item.Finding;
        var size = f.Kind == IpcKind.Sem ? "" : $", {Readable.Bytes(f.Bytes)}";
        w.WriteLine($"{what} {f.Kind} {f.Id} key {f.Key} owner {ReportTable.OwnerText(f)}{(f.Application is { } app ? $", {TerminalText.Clean(app)}" : "")}{size}, {(f.OrphanedSince is null ? "unused" : "orphaned")} {Readable.Age(f.AgeSeconds)}: "
                    + TerminalText.Clean(item.Reason ?? f.Reason));
        if (!evidence) return;
        foreach (var e in f.Evidence) w.WriteLine($"    {TerminalText.Clean(e)}");
    }

    public static void WriteLog(TextWriter w, IReadOnlyList<ReapLogEntry> entries, LocalTime times)
    {
        if (entries.Count == 0) w.WriteLine("no removal recorded in that window");
        foreach (var e in entries)
            w.WriteLine($"{times.Format(e.At)} {e.Outcome} {e.Kind} {e.Id} key {Collector.Model.IpcMode.FormatKey(e.Key)} owner {e.Owner} on {TerminalText.Clean(e.Host)} by uid {e.ByUid}"
                        + (e.Reason is { } reason ? ": " + TerminalText.Clean(reason) : ""));
    }

    private static string Plural(int n) => n == 1 ? "" : "s";
}
