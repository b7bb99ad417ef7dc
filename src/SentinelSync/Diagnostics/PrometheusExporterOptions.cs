namespace SentinelSync.Diagnostics;

/// <summary>What <see cref="PrometheusExporter"/> listens to and how it buckets histograms.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>Bucket bounds for durations in seconds, from 0.5 ms to 10 s.</summary>
    public static IReadOnlyList<double> DefaultSecondsBoundaries { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Meters whose name starts with this prefix (ordinal) are exported.</summary>
    public string MeterPrefix { get; set; } = "SentinelSync";

    /// <summary>Bucket bounds of histograms without their own (below, or advice given at instrument creation).</summary>
    public IReadOnlyList<double> HistogramBoundaries { get; set; } = DefaultSecondsBoundaries;

    /// <summary>Bucket bounds by instrument name (e.g. <c>sentinel.sink.batch.rows</c>); win over the instrument's advice.</summary>
    public Dictionary<string, IReadOnlyList<double>> HistogramBoundariesByInstrument { get; } = new(StringComparer.Ordinal);

    /// <summary>Throws when bounds are not finite and strictly increasing.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(MeterPrefix))
        {
            throw new ArgumentException("MeterPrefix must not be empty.", nameof(MeterPrefix));
        }

        if (!AreValid(HistogramBoundaries))
        {
            throw new ArgumentException($"HistogramBoundaries must be finite and strictly increasing: [{string.Join(", ", HistogramBoundaries)}].", nameof(HistogramBoundaries));
        }

        foreach (var (instrument, bounds) in HistogramBoundariesByInstrument)
        {
            if (!AreValid(bounds))
            {
                throw new ArgumentException($"Histogram boundaries of {instrument} must be finite and strictly increasing: [{string.Join(", ", bounds)}].", nameof(HistogramBoundariesByInstrument));
            }
        }
    }

    internal static bool AreValid(IReadOnlyList<double>? bounds)
    {
        if (bounds is null)
        {
            return false;
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
