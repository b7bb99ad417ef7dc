using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace SentinelSync.Diagnostics;

/// <summary>
/// Aggregates every instrument of the meters named <c>SentinelSync*</c> in process and renders them in the
/// Prometheus text exposition format 0.0.4. Counters keep their cumulative sum, up-down counters their
/// current sum, gauges their last value, histograms cumulative buckets; observable instruments are read at
/// each scrape. Recording is thread-safe and allocation-free once a series exists. Measurements made
/// before the exporter was created are not seen: create it before the silo starts.
/// </summary>
public sealed partial class PrometheusExporter : IDisposable
{
    /// <summary>The content type of <see cref="Scrape"/>'s output.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly PrometheusExporterOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _registryLock = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricFamily> _sampleNames = new(StringComparer.Ordinal);
    private readonly Lock _scrapeLock = new();
    private readonly MeterListener _listener;

    public PrometheusExporter(PrometheusExporterOptions? options = null, ILogger<PrometheusExporter>? logger = null)
    {
        _options = options ?? new PrometheusExporterOptions();
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _listener = new MeterListener
        {
            InstrumentPublished = Publish,
            MeasurementsCompleted = Complete,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and renders every family with at least one series.</summary>
    public string Scrape()
    {
        var output = new StringBuilder(4096);
        lock (_scrapeLock)
        {
            MetricFamily[] families;
            lock (_registryLock)
            {
                families = [.. _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
            }

            foreach (var family in families)
            {
                family.BeginScrape();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // One broken callback must not take every other metric off the scrape.
                ObservationFailed(_logger, e);
            }

            foreach (var family in families)
            {
                family.WriteTo(output);
            }
        }

        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Publish(Instrument instrument, MeterListener listener)
    {
        if (!instrument.Meter.Name.StartsWith(_options.MeterPrefix, StringComparison.Ordinal) || KindOf(instrument) is not { } kind)
        {
            return;
        }

        var name = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, kind);
        var bounds = kind == MetricKind.Histogram ? BoundsOf(instrument) : [];
        MetricFamily? family;
        lock (_registryLock)
        {
            if (_families.TryGetValue(name, out family))
            {
                if (family.Kind != kind || !family.Bounds.SequenceEqual(bounds))
                {
                    NameTaken(_logger, instrument.Meter.Name, instrument.Name, name);
                    return;
                }
            }
            else
            {
                family = new MetricFamily(name, kind, string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description, bounds);
                if (family.SampleNames.Any(_sampleNames.ContainsKey))
                {
                    NameTaken(_logger, instrument.Meter.Name, instrument.Name, name);
                    return;
                }

                _families.Add(name, family);
                foreach (var sample in family.SampleNames)
                {
                    _sampleNames.Add(sample, family);
                }
            }

            family.Instruments++;
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private void Complete(Instrument instrument, object? state)
    {
        if (state is not MetricFamily family)
        {
            return;
        }

        lock (_registryLock)
        {
            if (--family.Instruments == 0 && _families.Remove(family.Name))
            {
                foreach (var sample in family.SampleNames)
                {
                    _sampleNames.Remove(sample);
                }
            }
        }
    }

    private double[] BoundsOf(Instrument instrument)
    {
        if (_options.HistogramBoundariesByInstrument.TryGetValue(instrument.Name, out var configured))
        {
            return [.. configured];
        }

        var advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries?.ToArray(),
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<short> s => s.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<byte> b => b.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<decimal> m => m.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            _ => null,
        };
        return PrometheusExporterOptions.AreValid(advised) ? advised! : [.. _options.HistogramBoundaries];
    }

    private static MetricKind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? MetricKind.Counter
            : definition == typeof(UpDownCounter<>) ? MetricKind.UpDownCounter
            : definition == typeof(Histogram<>) ? MetricKind.Histogram
            : definition == typeof(Gauge<>) ? MetricKind.Gauge
            : definition == typeof(ObservableCounter<>) ? MetricKind.ObservableCounter
            : definition == typeof(ObservableUpDownCounter<>) ? MetricKind.ObservableUpDownCounter
            : definition == typeof(ObservableGauge<>) ? MetricKind.ObservableGauge
            : null;
    }
}
