namespace IpcAudit.Report.Analysis;

/// <summary>Ordinary least squares over (time, value) points: the trend a growth or pressure forecast extrapolates.</summary>
public static class LeastSquares
{
    private const double MsPerDay = 86_400_000.0;

    /// <summary>Slope in units per day; 0 when fewer than two distinct times.</summary>
    public static double SlopePerDay(ReadOnlySpan<long> timesMs, Func<int, double> value)
    {
        var n = timesMs.Length;
        if (n < 2) return 0;
        // Centre x and y first: days since the first point, and values around their mean, keep
        // the sums small enough for doubles even with 2^64-sized values.
        double meanX = 0, meanY = 0;
        for (var i = 0; i < n; i++)
        {
            meanX += (timesMs[i] - timesMs[0]) / MsPerDay;
            meanY += value(i);
        }
        meanX /= n;
        meanY /= n;
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = (timesMs[i] - timesMs[0]) / MsPerDay - meanX;
            sxy += dx * (value(i) - meanY);
            sxx += dx * dx;
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
