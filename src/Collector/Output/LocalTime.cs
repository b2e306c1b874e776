using System.Globalization;

namespace IpcAudit.Collector.Output;

/// <summary>
/// Times shown to people: in the local zone (TimeZoneInfo.Local, i.e. TZ or /etc/localtime), with the
/// zone named on every value, as `date` prints them. Stored and exported times stay UTC
/// (<see cref="SnapshotJson.IsoTime"/>).
/// </summary>
public sealed class LocalTime(TimeZoneInfo zone)
{
    public static LocalTime System => new(TimeZoneInfo.Local);

    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The zone's name for headings, e.g. "Europe/Berlin" or "UTC".</summary>
    public string ZoneName => Zone.Id is "Etc/UTC" or "Etc/Universal" or "Universal" or "Zulu" ? "UTC" : Zone.Id;

    /// <summary>"2026-11-21 07:00:00 CET".</summary>
    public string Format(DateTimeOffset t) => Format(t, Zone, "yyyy-MM-dd HH:mm:ss");

    public string Format(DateTimeOffset? t, string whenNull) => t is { } v ? Format(v) : whenNull;

    /// <summary><paramref name="t"/> in <paramref name="zone"/> with <paramref name="pattern"/>, then the zone's abbreviation.</summary>
    public static string Format(DateTimeOffset t, TimeZoneInfo zone, string pattern)
    {
        var local = TimeZoneInfo.ConvertTime(t, zone);
        return local.ToString(pattern, CultureInfo.InvariantCulture) + " " + Abbreviation(zone, local);
    }

    /// <summary>CET/CEST from the tz database; a long name ("Coordinated Universal Time") or a numeric one becomes UTC±hh:mm.</summary>
    public static string Abbreviation(TimeZoneInfo zone, DateTimeOffset local)
    {
        var name = zone.IsDaylightSavingTime(local) ? zone.DaylightName : zone.StandardName;
        if (name.Length is > 0 and <= 6 && name.All(char.IsAsciiLetter)) return name;
        var offset = local.Offset;
        if (offset == TimeSpan.Zero) return "UTC";
        return "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
