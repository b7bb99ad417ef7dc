using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SentinelSync.Runtime;

/// <summary>The runtime's instruments (meter <c>SentinelSync.Runtime</c>), exported by the silo's /metrics.</summary>
public static class RuntimeInstruments
{
    public const string MeterName = "SentinelSync.Runtime";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_calls = s_meter.CreateCounter<long>("sentinel.grain.calls", "{call}", "Grain calls completed");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("sentinel.grain.call.duration", "s", "Grain call duration, from turn start to end");
    private static readonly UpDownCounter<long> s_activations = s_meter.CreateUpDownCounter<long>("sentinel.grain.activations", "{activation}", "Live activations by grain type");
    private static readonly List<Catalog> s_catalogs = [];

    static RuntimeInstruments()
    {
        s_meter.CreateObservableGauge("sentinel.grain.queue_length", ObserveQueueLength, "{call}", "Calls waiting for their turn, over all activations");
    }

    internal static void RecordCall(string grainType, GrainMethod method, long startedTimestamp)
    {
        if (s_calls.Enabled)
        {
            s_calls.Add(1, new KeyValuePair<string, object?>("grain_type", grainType), new KeyValuePair<string, object?>("method", method.Name));
        }

        if (s_duration.Enabled)
        {
            s_duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("grain_type", grainType));
        }
    }

    internal static void ActivationStarted(string grainType) => s_activations.Add(1, new KeyValuePair<string, object?>("grain_type", grainType));

    internal static void ActivationStopped(string grainType) => s_activations.Add(-1, new KeyValuePair<string, object?>("grain_type", grainType));

    internal static void ObserveQueues(Catalog catalog)
    {
        lock (s_catalogs)
        {
            s_catalogs.Add(catalog);
        }
    }

    internal static void ForgetQueues(Catalog catalog)
    {
        lock (s_catalogs)
        {
            s_catalogs.Remove(catalog);
        }
    }

    private static IEnumerable<Measurement<long>> ObserveQueueLength()
    {
        lock (s_catalogs)
        {
            return [new Measurement<long>(s_catalogs.Sum(c => c.Activations.Sum(a => (long)a.QueueLength)))];
        }
    }
}
