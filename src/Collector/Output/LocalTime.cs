using System.Globalization;

namespace IpcAudit.Collector.Output;

/// <summary>
/// Times shown to people: in the local zone (TimeZoneInfo.Local, i.e. TZ or /etc/localtime), with the
/// zone named on every value, like `date` prints them. Stored and exported times stay UTC
/// (<see cref="SnapshotJson.IsoTime"/>).
/// </summary>
public sealed class LocalTime(TimeZoneInfo zone)
{
    public static LocalTime System => new(TimeZoneInfo.Local);

    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The zone's name for headings, e.g. "Europe/Berlin" or "UTC".</summary>
    public string ZoneName => Zone.Id is "Etc/UTC" or "Etc/Universal" or "Universal" or "Zulu" ? "UTC" : Zone.Id;

    /// <summary>"2026-11-21 07:00:00 CET".</summary>
    public string Format(DateTimeOffset t)
    {
        var local = TimeZoneInfo.ConvertTime(t, Zone);
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + Abbreviation(local);
    }

    public string Format(DateTimeOffset? t, string whenNull) => t is { } v ? Format(v) : whenNull;

    /// <summary>CET/CEST from the tz database; "UTC" or "UTC+05:30" where the zone has no short name.</summary>
    private string Abbreviation(DateTimeOffset local)
    {
        var name = Zone.IsDaylightSavingTime(local) ? Zone.DaylightName : Zone.StandardName;
        if (name.Length is > 0 and <= 6 && name.All(char.IsAsciiLetter)) return name;
        var offset = local.Offset;
        if (offset == TimeSpan.Zero) return "UTC";
        return "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
