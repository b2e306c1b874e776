namespace IpcAudit.Report.Output;

/// <summary>
/// The precision every export gives a computed number, so JSON and CSV carry the same value: slopes to
/// 3 decimals, percentages to 2 (equal histories give byte-equal documents, and a slope of 1.7e-14 is
/// the 0 it means). Negative zero becomes zero.
/// </summary>
public static class ReportRounding
{
    public static double Slope(double v) => Plain(Math.Round(v, 3));

    public static double? Percent(double? v) => v is { } x ? Plain(Math.Round(x, 2)) : null;

    /// <summary>As CSV writes it: decimal, so no value is ever written with an exponent (1E+15) a spreadsheet misreads.</summary>
    public static decimal SlopeText(double v) => ToDecimal(Slope(v));

    public static decimal? PercentText(double? v) => Percent(v) is { } x ? ToDecimal(x) : null;

    private static decimal ToDecimal(double v) => Math.Abs(v) < 7.9e27 ? (decimal)v : (decimal)Math.CopySign(7.9e27, v);

    private static double Plain(double v) => v == 0 ? 0 : v;
}
