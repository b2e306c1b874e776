using System.Globalization;
using System.Text.RegularExpressions;
using IpcAudit.Collector;

namespace IpcAudit.Cli;

/// <summary>
/// Times on the command line: ISO-8601 instants, or durations back from now (90m, 24h, 7d, 4w). A
/// time without a zone (2026-11-28T10:00) is read in the local zone, as every time shown to people
/// is; Z or an offset makes it exact.
/// </summary>
public static partial class TimeArguments
{
    public const string Accepted = "a duration like 90m, 24h, 7d, 4w, or an ISO-8601 time like 2026-11-21T06:00:00Z (without a zone: local time)";

    /// <param name="zone">The zone of a time written without one; the machine's local zone when null.</param>
    public static DateTimeOffset ParseInstant(string text, string option, TimeZoneInfo? zone = null)
    {
        var trimmed = text.Trim();
        if (LooksLikeIsoDate().IsMatch(trimmed))
        {
            if (HasZone(trimmed))
            {
                if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var exact))
                    return exact;
            }
            else if (DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall))
            {
                zone ??= TimeZoneInfo.Local;
                wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
                if (zone.IsInvalidTime(wall))
                    throw new IpcAuditException($"{option}: '{text}' does not exist in the local zone {zone.Id} (the clock jumps over it); add a zone, e.g. Z", ExitCodes.BadInput);
                return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, zone), TimeSpan.Zero);
            }
        }
        throw new IpcAuditException($"{option}: '{text}' is not an ISO-8601 time (e.g. 2026-11-21T06:00:00Z, or 2026-11-21T07:00 in the local zone)", ExitCodes.BadInput);
    }

    public static TimeSpan ParseDuration(string text, string option)
    {
        var m = Duration().Match(text.Trim());
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw new IpcAuditException($"{option}: '{text}' is not a duration (use e.g. 90m, 24h, 7d, 4w)", ExitCodes.BadInput);
        return m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.FromDays(7 * n),
        };
    }

    /// <summary>A duration counts back from <paramref name="now"/>; anything else must be an ISO-8601 time.</summary>
    public static DateTimeOffset ParseInstantOrAgo(string text, string option, DateTimeOffset now, TimeZoneInfo? zone = null)
    {
        if (Duration().IsMatch(text.Trim())) return now - ParseDuration(text, option);
        if (LooksLikeIsoDate().IsMatch(text.Trim())) return ParseInstant(text, option, zone);
        throw new IpcAuditException($"{option}: '{text}' is not {Accepted}", ExitCodes.BadInput);
    }

    /// <summary>Whether the text is an ISO-8601 date or time at all (a snapshot argument may also be an id).</summary>
    public static bool IsIsoTime(string text) => LooksLikeIsoDate().IsMatch(text.Trim());

    private static bool HasZone(string text) => ZoneSuffix().IsMatch(text);

    [GeneratedRegex(@"^(\d+)([smhdw])$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex LooksLikeIsoDate();

    /// <summary>Z or ±hh[:mm] after a time of day; a bare date (2026-11-28) has none.</summary>
    [GeneratedRegex(@"[T ]\d{2}(?::\d{2}){0,2}(?:[.,]\d+)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")]
    private static partial Regex ZoneSuffix();
}
