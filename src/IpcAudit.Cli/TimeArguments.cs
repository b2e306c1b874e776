using System.Globalization;
using System.Text.RegularExpressions;
using IpcAudit.Collector;

namespace IpcAudit.Cli;

/// <summary>Times on the command line: ISO-8601 instants, or durations back from now (90m, 24h, 7d, 4w).</summary>
public static partial class TimeArguments
{
    public const string Accepted = "a duration like 90m, 24h, 7d, 4w, or an ISO-8601 time like 2026-11-21T06:00:00Z";

    public static DateTimeOffset ParseInstant(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            && LooksLikeIsoDate().IsMatch(text))
            return t;
        throw new IpcAuditException($"{option}: '{text}' is not an ISO-8601 time (e.g. 2026-11-21T06:00:00Z)", ExitCodes.BadInput);
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
    public static DateTimeOffset ParseInstantOrAgo(string text, string option, DateTimeOffset now)
    {
        if (Duration().IsMatch(text.Trim())) return now - ParseDuration(text, option);
        if (LooksLikeIsoDate().IsMatch(text)) return ParseInstant(text, option);
        throw new IpcAuditException($"{option}: '{text}' is not {Accepted}", ExitCodes.BadInput);
    }

    [GeneratedRegex(@"^(\d+)([smhdw])$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex LooksLikeIsoDate();
}
