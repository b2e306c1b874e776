using IpcAudit.Collector.Output;
using IpcAudit.Report.Analysis;

namespace IpcAudit.Report.Output;

/// <summary>`ipcaudit diff A B`: one line per added, removed or changed object, changes as field old → new.</summary>
public static class SnapshotDiffText
{
    /// <param name="times">The zone the snapshot times are shown in; the system's local zone when null.</param>
    public static void Write(TextWriter w, SnapshotDiffResult d, LocalTime? times = null)
    {
        times ??= LocalTime.System;
        w.WriteLine($"snapshot {d.FromId} ({times.Format(d.From.TakenAt)}, {TerminalText.Clean(d.From.Host.Host)}) → snapshot {d.ToId} ({times.Format(d.To.TakenAt)}, {TerminalText.Clean(d.To.Host.Host)})");
        if (!d.SameContext)
            w.WriteLine("note: different host, boot or IPC namespace — ids mean nothing across them, so every object counts as removed or added");
        foreach (var o in d.Added) w.WriteLine($"+ {Describe(o)}");
        foreach (var o in d.Removed) w.WriteLine($"- {Describe(o)}");
        foreach (var c in d.Changed)
            w.WriteLine($"~ {Describe(c.Object)}: {string.Join("; ", c.Changes.Select(Change))}");
        if (d.Limits.Count > 0) w.WriteLine($"~ limits: {string.Join("; ", d.Limits.Select(Change))}");
        if (d.Added.Count + d.Removed.Count + d.Changed.Count + d.Limits.Count == 0) w.WriteLine("no changes");
        else w.WriteLine($"{d.Added.Count} added, {d.Removed.Count} removed, {d.Changed.Count} changed");
    }

    private static string Describe(DiffObject o)
    {
        var size = o.Kind switch { "shm" => $"{o.Size} bytes", "sem" => $"{o.Size} semaphores", _ => $"{o.Size} bytes queued" };
        return $"{o.Kind} {o.Id} key {o.Key} owner {o.Owner} ({size})";
    }

    private static string Change(FieldChange c) =>
        $"{c.Field} {TerminalText.Clean(SnapshotDiffJson.Text(c.Old))} → {TerminalText.Clean(SnapshotDiffJson.Text(c.New))}";
}
