using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Metrics;

namespace SentinelSync.Diagnostics;

/// <summary>
/// What <c>/metrics</c> exports: every meter named <c>SentinelSync.*</c>, Orleans' own meter, Npgsql, ASP.NET Core,
/// HttpClient and the .NET runtime, through the OpenTelemetry Prometheus exporter.
/// </summary>
internal static class SentinelMetrics
{
    /// <summary>The project's meters (<c>SentinelSync.Replication</c> and any added later).</summary>
    public const string SentinelMeters = "SentinelSync.*";

    /// <summary>
    /// Orleans' meter. Listed ahead of the move to Orleans so its instruments show up the day the silo runs on it;
    /// a meter nobody creates costs nothing.
    /// </summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Bucket bounds (seconds) of a SentinelSync histogram in seconds without bounds of its own: the bounds the
    /// hand-written exporter used, so dashboards computing quantiles see the same buckets. The SDK's default
    /// (0, 5, 10, 25, ... 10,000) is made for milliseconds and would put every apply below 5 s in one bucket.
    /// </summary>
    public static IReadOnlyList<double> SecondsBoundaries { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static MeterProviderBuilder AddSentinelInstruments(this MeterProviderBuilder metrics) =>
        metrics
            .AddMeter(SentinelMeters, OrleansMeter)
            .AddView(SecondsHistogramBuckets)
            .AddNpgsqlInstrumentation()
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter(options =>
            {
                // Scope labels (otel_scope_name, ...) on every series would change the label sets dashboards and
                // alerts match on; the metric names already say where they come from.
                options.ScopeInfoEnabled = false;
                // Every scrape reads the instruments afresh, as before: a cached answer would hide a counter's
                // move from a scrape right after it (tests, `sentinel status`-style polling).
                options.ScrapeResponseCacheDurationMilliseconds = 0;
            });

    /// <summary>Null (the SDK's choice) unless the instrument is a SentinelSync histogram in seconds without advised bounds.</summary>
    internal static MetricStreamConfiguration? SecondsHistogramBuckets(Instrument instrument) =>
        instrument.Unit == "s"
        && instrument.Meter.Name.StartsWith("SentinelSync.", StringComparison.Ordinal)
        && IsHistogram(instrument)
        && !HasAdvisedBounds(instrument)
            ? new ExplicitBucketHistogramConfiguration { Boundaries = [.. SecondsBoundaries] }
            : null;

    private static bool IsHistogram(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    private static bool HasAdvisedBounds(Instrument instrument) => instrument switch
    {
        Instrument<double> d => d.Advice?.HistogramBucketBoundaries is not null,
        Instrument<float> f => f.Advice?.HistogramBucketBoundaries is not null,
        Instrument<long> l => l.Advice?.HistogramBucketBoundaries is not null,
        Instrument<int> i => i.Advice?.HistogramBucketBoundaries is not null,
        Instrument<short> s => s.Advice?.HistogramBucketBoundaries is not null,
        Instrument<byte> b => b.Advice?.HistogramBucketBoundaries is not null,
        Instrument<decimal> m => m.Advice?.HistogramBucketBoundaries is not null,
        _ => false,
    };
}
