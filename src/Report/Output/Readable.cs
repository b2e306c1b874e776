using System.Globalization;
using IpcAudit.Collector.Output;

namespace IpcAudit.Report.Output;

/// <summary>
/// Numbers, sizes, ages and times as a person reads them; shared by the table and the HTML page.
/// One style for every amount: at most three significant digits and the unit, always named. Bytes
/// take IEC prefixes as ipcs --human prints them ("512 B", "1.5 KiB", "16 EiB"); counts take words
/// ("4,096 segments", "1.02 million semaphores", "18.4 quintillion pages"), so a count is never
/// mistaken for bytes.
/// </summary>
internal static class Readable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"3d 4h", "5h 12m", "12m", "40s": the two largest units are enough for a review.</summary>
    public static string Age(long seconds)
    {
        if (seconds < 0) seconds = 0;
        long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
        if (d > 0) return h > 0 ? $"{d}d {h}h" : $"{d}d";
        if (h > 0) return m > 0 ? $"{h}h {m}m" : $"{h}h";
        if (m > 0) return $"{m}m";
        return $"{seconds}s";
    }

    /// <summary>
    /// A growth row's size: bytes for shm and msg; for sem the "bytes" columns count semaphores
    /// (what SEMMNS limits), so they are shown as a count, never as "B".
    /// </summary>
    public static string Size(string kind, double value) =>
        kind == IpcAudit.Report.Model.IpcKind.Sem ? Count(value, "semaphores") : Bytes(value);

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var sign = bytes < 0 ? "-" : "";
        var v = Math.Abs(bytes);
        var u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return sign + (u == 0 ? v.ToString("0", Inv) : Significant(v)) + " " + units[u];
    }

    /// <summary>Counts with thousands separators; from a million on, three digits and a word, so a 2^64 limit stays short.</summary>
    public static string Count(double n)
    {
        var a = Math.Abs(n);
        if (a < 1_000_000) return n.ToString(a >= 100 || a == Math.Floor(a) ? "#,0" : "0.##", Inv);
        string[] words = ["million", "billion", "trillion", "quadrillion", "quintillion", "sextillion"];
        var v = a / 1_000_000;
        var u = 0;
        while (v >= 1000 && u < words.Length - 1) { v /= 1000; u++; }
        return (n < 0 ? "-" : "") + Significant(v) + " " + words[u];
    }

    /// <summary>A count with what it counts: "4,096 segments", "18.4 quintillion pages".</summary>
    public static string Count(double n, string unit) => Count(n) + " " + unit;

    /// <summary>A value in the unit its limit counts in: bytes for SHMMAX/MSGMNB, pages for SHMALL, objects otherwise — always named.</summary>
    public static string LimitValue(string limit, double value) => limit switch
    {
        Model.LimitNames.Shmmax or Model.LimitNames.Msgmnb or Posix.PosixSeries.DevShm => Bytes(value),
        Model.LimitNames.Shmall => Count(value, "pages"),
        Model.LimitNames.Shmmni => Count(value, "segments"),
        Model.LimitNames.Semmni => Count(value, "arrays"),
        Model.LimitNames.Semmns or Model.LimitNames.Semmsl => Count(value, "semaphores"),
        Model.LimitNames.Msgmni or Posix.PosixSeries.MqQueues => Count(value, "queues"),
        _ => Count(value),
    };

    /// <summary>"93.0 %"; a tiny share of a huge limit says "&lt; 0.1 %" rather than a misleading 0.</summary>
    public static string Percent(double? p) => p switch
    {
        null => "?",
        0 => "0 %",
        < 0.05 => "< 0.1 %",
        { } v => v.ToString("0.0", Inv) + " %",
    };

    public static string Number(double v) => v.ToString("0.##", Inv);

    /// <summary>At most three significant digits, no trailing zeros: 1.5, 2.13, 15.2, 150.</summary>
    private static string Significant(double v) => v.ToString(v >= 100 ? "0" : v >= 10 ? "0.#" : "0.##", Inv);

    /// <summary>"2026-11-21 07:00 CET": local time of the given zone, with the zone named.</summary>
    public static string Time(DateTimeOffset t, TimeZoneInfo zone) => LocalTime.Format(t, zone, "yyyy-MM-dd HH:mm");
}
