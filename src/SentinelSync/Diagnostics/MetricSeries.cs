namespace SentinelSync.Diagnostics;

/// <summary>
/// One time series of a family: its labels and its aggregate. Updated lock-free by any number of recording
/// threads; a scrape reads each field atomically (a histogram's count is derived from its buckets, so the
/// rendered <c>_count</c> always equals the <c>+Inf</c> bucket).
/// </summary>
internal sealed class MetricSeries
{
    private readonly long[] _buckets;
    private double _value;
    private double _sum;
    private int _generation = -1;

    public MetricSeries(KeyValuePair<string, string>[] labels, int bucketCount)
    {
        Labels = labels;
        _buckets = new long[bucketCount];
        SortKey = KeyOf(labels);
    }

    /// <summary>Prometheus label names (valid, unique, sorted ordinally) and their unescaped values.</summary>
    public KeyValuePair<string, string>[] Labels { get; }

    /// <summary>Orders series within a family and identifies them: equal labels, equal key.</summary>
    public string SortKey { get; }

    /// <summary>The <see cref="SortKey"/> of a series with these labels.</summary>
    public static string KeyOf(KeyValuePair<string, string>[] labels) =>
        string.Join('\u0001', labels.Select(l => $"{l.Key}\u0002{l.Value}"));

    public double Value => Volatile.Read(ref _value);

    public double Sum => Volatile.Read(ref _sum);

    /// <summary>The scrape in which an observable instrument last reported this series.</summary>
    public int Generation => Volatile.Read(ref _generation);

    public long BucketCount(int index) => Interlocked.Read(ref _buckets[index]);

    public void Add(double increment) => AddTo(ref _value, increment);

    public void Set(double value, int generation)
    {
        Volatile.Write(ref _value, value);
        Volatile.Write(ref _generation, generation);
    }

    public void Observe(double value, int bucket)
    {
        Interlocked.Increment(ref _buckets[bucket]);
        AddTo(ref _sum, value);
    }

    private static void AddTo(ref double location, double increment)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + increment, current);
            // Bitwise, as CompareExchange compares: NaN payloads and -0.0 must not pass for a successful swap.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
