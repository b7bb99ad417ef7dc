namespace SentinelSync.Diagnostics;

/// <summary>How a family aggregates its measurements; one per kind of <see cref="System.Diagnostics.Metrics.Instrument"/>.</summary>
internal enum MetricKind
{
    /// <summary><c>Counter&lt;T&gt;</c>: cumulative sum of increments, exported as a Prometheus counter.</summary>
    Counter,

    /// <summary><c>ObservableCounter&lt;T&gt;</c>: the callback reports the cumulative value, exported as a counter.</summary>
    ObservableCounter,

    /// <summary><c>UpDownCounter&lt;T&gt;</c>: current sum of increments and decrements, exported as a gauge.</summary>
    UpDownCounter,

    /// <summary><c>ObservableUpDownCounter&lt;T&gt;</c>: the callback reports the current sum, exported as a gauge.</summary>
    ObservableUpDownCounter,

    /// <summary><c>Gauge&lt;T&gt;</c>: the last recorded value, exported as a gauge.</summary>
    Gauge,

    /// <summary><c>ObservableGauge&lt;T&gt;</c>: the value reported at scrape, exported as a gauge.</summary>
    ObservableGauge,

    /// <summary><c>Histogram&lt;T&gt;</c>: cumulative buckets, sum and count.</summary>
    Histogram,
}
