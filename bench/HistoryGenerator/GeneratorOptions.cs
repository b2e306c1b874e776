using System.Globalization;

namespace IpcAudit.Bench.HistoryGenerator;

/// <summary>Command line of the generator. The same options and --end give the same database content.</summary>
public sealed record GeneratorOptions
{
    public required string Db { get; init; }
    public double Days { get; init; } = 7;
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);
    public int Hosts { get; init; } = 1;
    public int Objects { get; init; } = 1000;
    /// <summary>Fraction of the ordinary objects replaced per day.</summary>
    public double Churn { get; init; } = 0.05;
    /// <summary>Fraction of objects whose state changes at every snapshot (semops, sends, attaches).</summary>
    public double Busy { get; init; } = 0.10;
    public int Seed { get; init; } = 1;
    /// <summary>Host names are PREFIX01, PREFIX02, ...: histories generated apart stay apart on one server.</summary>
    public string Prefix { get; init; } = "host";
    /// <summary>Day of the reboot (0 = none); default the middle of the period when it is at least 2 days.</summary>
    public double? RebootDay { get; init; }
    public DateTimeOffset? End { get; init; }

    public const string Usage = """
        usage: HistoryGenerator --db PATH [--days 7] [--interval 5m] [--hosts 1] [--objects 1000] [--churn 0.05]
                                [--busy 0.10] [--seed 1] [--prefix host] [--reboot-day N] [--end ISO-TIME]
        Writes synthetic IpcAudit history through SnapshotStore. --end defaults to now, rounded down to the
        interval; the same options and --end always give the same content.
        """;

    public static GeneratorOptions Parse(string[] args)
    {
        string? db = null;
        var o = new GeneratorOptions { Db = "" };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
            static int I(string s) => int.Parse(s, CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--db" => o with { Db = db = Next() },
                "--days" => o with { Days = D(Next()) },
                "--interval" => o with { Interval = Duration(Next()) },
                "--hosts" => o with { Hosts = I(Next()) },
                "--objects" => o with { Objects = I(Next()) },
                "--churn" => o with { Churn = D(Next()) },
                "--busy" => o with { Busy = D(Next()) },
                "--seed" => o with { Seed = I(Next()) },
                "--prefix" => o with { Prefix = Next() },
                "--reboot-day" => o with { RebootDay = D(Next()) },
                "--end" => o with { End = DateTimeOffset.Parse(Next(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (db is null) throw new ArgumentException("--db is required");
        return o;
    }

    private static TimeSpan Duration(string text)
    {
        var n = double.Parse(text[..^1], CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => throw new ArgumentException($"'{text}' is not a duration like 5m"),
        };
    }
}
