using System.Globalization;
using IpcAudit.Collector.Output;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Output;

/// <summary>`report --format table`: the report's sections aligned for a terminal, times in the local zone.</summary>
public static class ReportTable
{
    private const int CommandWidth = 32, BarCells = 10;

    public static void Write(TextWriter output, ReportDocument doc) => Write(output, doc, TimeZoneInfo.Local);

    public static void Write(TextWriter output, ReportDocument doc, TimeZoneInfo zone)
    {
        var w = doc.Window;
        var hosts = w.Hosts.Count == 0 ? "no hosts" : $"{Plural(w.Hosts.Count, "host")} ({string.Join(", ", w.Hosts)})";
        Line(output, $"IpcAudit report {Readable.Time(w.Since, zone)} to {Readable.Time(w.Until, zone)}: {Plural(w.Snapshots, "snapshot")}, {hosts}");

        Heading(output, $"Orphans ({doc.Orphans.Count}), worst first by bytes x age");
        if (doc.Orphans.Count == 0) None(output);
        else
        {
            var t = new TextTable(("HOST", false), ("KIND", false), ("ID", true), ("KEY", false), ("OWNER", false), ("APPLICATION", false), ("BYTES", true),
                ("AGE", true), ("ORPHANED SINCE", false), ("CREATOR", false), ("PROCESS", false), ("FIX", false), ("REASON", false), ("EVIDENCE", false),
                ("PROCESSES", false));
            foreach (var o in ReportRanking.Orphans(doc.Orphans))
                t.Add(o.Host, o.Kind, FindingLabel.Id(o), TerminalText.Clean(FindingLabel.Key(o), CommandWidth), OwnerText(o), TerminalText.Clean(o.Application ?? "-"), Readable.Bytes(o.Bytes), Readable.Age(o.AgeSeconds),
                    Readable.Time(o.OrphanedSince!.Value, zone), Creator(o), TerminalText.Clean(o.CreatorCommand, CommandWidth),
                    o.SuggestedCommand ?? "", o.Reason, string.Join("; ", o.Evidence), TerminalText.Clean(FindingProcesses.Text(o.Processes)));
            t.Write(output);
        }

        Heading(output, $"Idle ({doc.Idle.Count}): unused for at least --orphan-age, but nothing proves the holder gone; not to be removed on this report's word");
        if (doc.Idle.Count == 0) None(output);
        else
        {
            var t = new TextTable(("HOST", false), ("KIND", false), ("ID", true), ("KEY", false), ("OWNER", false), ("APPLICATION", false), ("BYTES", true),
                ("IDLE", true), ("UNUSED SINCE", false), ("MISSING FOR A VERDICT", false), ("EVIDENCE", false), ("PROCESSES", false));
            foreach (var o in doc.Idle)
                t.Add(o.Host, o.Kind, FindingLabel.Id(o), TerminalText.Clean(FindingLabel.Key(o), CommandWidth), OwnerText(o), TerminalText.Clean(o.Application ?? "-"), Readable.Bytes(o.Bytes), Readable.Age(o.AgeSeconds),
                    Readable.Time(o.UnusedSince, zone), string.Join("; ", o.Missing), string.Join("; ", o.Evidence), TerminalText.Clean(FindingProcesses.Text(o.Processes)));
            t.Write(output);
        }

        Heading(output, $"Growth ({doc.Growth.Count}) per host, kind and owner; slopes by least squares; size is bytes (shm, msg) or semaphores (sem)");
        if (doc.Growth.Count == 0) None(output);
        else
        {
            var t = new TextTable(("HOST", false), ("KIND", false), ("OWNER", true), ("COUNT", true), ("COUNT/DAY", true),
                ("SIZE", true), ("SIZE/DAY", true), ("CREATED", true), ("REMOVED", true));
            foreach (var g in doc.Growth)
                t.Add(g.Host, g.Kind, I(g.Owner), $"{I(g.StartCount)} -> {I(g.EndCount)}", Signed(g.CountSlopePerDay, Readable.Number),
                    $"{Readable.Size(g.Kind, g.StartBytes)} -> {Readable.Size(g.Kind, g.EndBytes)}", Signed(g.BytesSlopePerDay, b => Readable.Size(g.Kind, b)),
                    I(g.Created), I(g.Removed));
            t.Write(output);
        }

        var pools = PressureText.Pools(doc.Pressure).ToList();
        Heading(output, $"Limit pressure ({pools.Count}), as lsipc -g names the limits; runs out: if the last day's trend holds");
        if (pools.Count == 0) None(output);
        else
        {
            var t = new TextTable(("HOST", false), ("LIMIT", false), ("USED", true), ("MAX", true), ("USE", true), ("", false),
                ("PEAK", true), ("PEAK AT", false), (">80%", true), (">90%", true), ("RUNS OUT", false));
            foreach (var p in pools)
                t.Add(p.Host, p.Limit, PressureText.Used(p), p.Max is { } m ? Readable.LimitValue(p.Limit, m) : "unknown",
                    Readable.Percent(p.Percent), Bar(p.Percent), Readable.Percent(p.PeakPercent),
                    p.PeakAt is { } at ? Readable.Time(at, zone) : "-", Duration(p.SecondsAbove80), Duration(p.SecondsAbove90),
                    PressureText.Outlook(p, x => Readable.Time(x, zone)));
            t.Write(output);
        }

        var caps = PressureText.Caps(doc.Pressure).ToList();
        if (caps.Count > 0)
        {
            Heading(output, $"Caps on one object ({caps.Count}), information only: the largest object against its cap");
            var t = new TextTable(("HOST", false), ("LIMIT", false), ("LARGEST", true), ("CAP", true), ("USE", true),
                ("PEAK", true), ("PEAK AT", false));
            foreach (var p in caps)
                t.Add(p.Host, p.Limit, Readable.LimitValue(p.Limit, p.Used), p.Max is { } m ? Readable.LimitValue(p.Limit, m) : "unknown",
                    Readable.Percent(p.Percent), Readable.Percent(p.PeakPercent), p.PeakAt is { } at ? Readable.Time(at, zone) : "-");
            t.Write(output);
        }

        Heading(output, $"Churn ({doc.Churn.Count}) per host and kind");
        if (doc.Churn.Count == 0) None(output);
        else
        {
            var t = new TextTable(("HOST", false), ("KIND", false), ("CREATED", true), ("REMOVED", true), ("VANISHED WHILE USED", true));
            foreach (var c in doc.Churn) t.Add(c.Host, c.Kind, I(c.Created), I(c.Removed), I(c.VanishedWhileUsed));
            t.Write(output);
            if (doc.Churn.Any(c => c.VanishedWhileUsed > 0))
                Line(output, "  Vanished while used: removed under a live user the way systemd-logind RemoveIPC=yes removes a user's objects"
                    + " (a uid above SYS_UID_MAX, unattached segments, all of the uid's objects at once); other removals are plain.");
            foreach (var host in doc.Churn.Where(c => c.SysUidMaxAssumed).Select(c => c.Host).Distinct())
                Line(output, $"  {host}: SYS_UID_MAX not set in its login.defs or not collected; uids up to 999, the default, taken as system accounts.");
        }
    }

    private static string Creator(OrphanFinding o) => o.CreatorPid is not { } pid ? "-"
        : o.CreatorAlive switch { true => $"{I(pid)} alive", false => $"{I(pid)} dead", null => I(pid) };

    /// <summary>"[#########.]": one cell per 10 %, rounded down so a full bar means the limit is reached.</summary>
    private static string Bar(double? percent)
    {
        if (percent is not { } p) return "";
        var full = (int)Math.Clamp(Math.Floor(p / (100.0 / BarCells)), 0, BarCells);
        return "[" + new string('#', full) + new string('.', BarCells - full) + "]";
    }

    private static string Duration(long seconds) => seconds > 0 ? Readable.Age(seconds) : "-";

    private static string Signed(double v, Func<double, string> format) => v > 0 ? "+" + format(v) : v < 0 ? "-" + format(-v) : "0";

    private static string I<T>(T v) where T : IFormattable => v.ToString(null, CultureInfo.InvariantCulture);

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static void Heading(TextWriter o, string text) { o.Write('\n'); Line(o, text); }

    private static void None(TextWriter o) => Line(o, "  none");

    // Every line from here is written with \n, so the output is the same on every platform and for goldens.
    private static void Line(TextWriter o, string text) { o.Write(TerminalText.Clean(text)); o.Write('\n'); }

    /// <summary>"postgres (111)": the name the host gave the owner, with the uid; the uid alone when no name was recorded.</summary>
    public static string OwnerText(OrphanFinding o) =>
        o.OwnerName is { } name ? $"{TerminalText.Clean(name)} ({I(o.Owner)})" : I(o.Owner);
}
