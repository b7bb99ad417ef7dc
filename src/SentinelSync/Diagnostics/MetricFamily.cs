using System.Collections.Concurrent;
using System.Text;

namespace SentinelSync.Diagnostics;

/// <summary>
/// One Prometheus metric family: the instruments exported under one name (same name and kind from several
/// meters share it) and their series by tag set. <see cref="Record"/> is lock-free and does not allocate once
/// the tag set has been seen; a new tag set takes a lock once.
/// </summary>
internal sealed class MetricFamily
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<int, SeriesKey[]> _keys = new();
    private readonly Dictionary<string, MetricSeries> _byLabels = new(StringComparer.Ordinal);
    private readonly double[] _bounds;
    private MetricSeries[] _series = [];
    private int _generation;

    public MetricFamily(string name, MetricKind kind, string help, double[] bounds)
    {
        Name = name;
        Kind = kind;
        Help = help;
        _bounds = kind == MetricKind.Histogram ? bounds : [];
    }

    public string Name { get; }

    public MetricKind Kind { get; }

    public string Help { get; }

    /// <summary>Bucket upper bounds (inclusive), without <c>+Inf</c>; empty unless a histogram.</summary>
    public IReadOnlyList<double> Bounds => _bounds;

    /// <summary>Instruments feeding the family; the exporter drops it when the last one is gone.</summary>
    public int Instruments { get; set; }

    public bool IsObservable => Kind is MetricKind.ObservableCounter or MetricKind.ObservableUpDownCounter or MetricKind.ObservableGauge;

    /// <summary>The sample names this family writes; no two families may share one.</summary>
    public IEnumerable<string> SampleNames =>
        Kind == MetricKind.Histogram ? [Name, Name + "_bucket", Name + "_sum", Name + "_count"] : [Name];

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = Find(tags);
        switch (Kind)
        {
            case MetricKind.Counter:
                // A counter only grows: a negative increment is a caller's bug and would break rate().
                if (value >= 0)
                {
                    series.Add(value);
                }

                break;
            case MetricKind.UpDownCounter:
                series.Add(value);
                break;
            case MetricKind.Histogram:
                series.Observe(value, BucketOf(value));
                break;
            default:
                series.Set(value, Volatile.Read(ref _generation));
                break;
        }
    }

    /// <summary>Starts a scrape: observable series not reported from now on are left out of the output.</summary>
    public void BeginScrape() => Interlocked.Increment(ref _generation);

    /// <summary>Writes HELP, TYPE and the samples; nothing when the family has no series to show.</summary>
    public void WriteTo(StringBuilder output)
    {
        var generation = Volatile.Read(ref _generation);
        var series = Volatile.Read(ref _series)
            .Where(s => !IsObservable || s.Generation == generation)
            .OrderBy(s => s.SortKey, StringComparer.Ordinal)
            .ToList();
        if (series.Count == 0)
        {
            return;
        }

        output.Append("# HELP ").Append(Name).Append(' ');
        PrometheusText.AppendHelp(output, Help);
        output.Append('\n');
        output.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
        {
            MetricKind.Counter or MetricKind.ObservableCounter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        }).Append('\n');

        foreach (var s in series)
        {
            if (Kind == MetricKind.Histogram)
            {
                WriteHistogram(output, s);
            }
            else
            {
                WriteSample(output, Name, s.Labels, null, PrometheusText.Number(s.Value));
            }
        }
    }

    private void WriteHistogram(StringBuilder output, MetricSeries series)
    {
        long cumulative = 0;
        for (var i = 0; i < _bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            WriteSample(output, Name + "_bucket", series.Labels, PrometheusText.Number(_bounds[i]), cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        cumulative += series.BucketCount(_bounds.Length);
        var count = cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture);
        WriteSample(output, Name + "_bucket", series.Labels, "+Inf", count);
        WriteSample(output, Name + "_sum", series.Labels, null, PrometheusText.Number(series.Sum));
        WriteSample(output, Name + "_count", series.Labels, null, count);
    }

    /// <summary>One sample line; <paramref name="le"/>, when given, joins the labels in sorted position.</summary>
    private static void WriteSample(StringBuilder output, string name, KeyValuePair<string, string>[] labels, string? le, string value)
    {
        output.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            output.Append('{');
            var first = true;
            var leWritten = le is null;
            foreach (var label in labels)
            {
                if (!leWritten && string.CompareOrdinal("le", label.Key) < 0)
                {
                    AppendLabel(output, ref first, "le", le!);
                    leWritten = true;
                }

                AppendLabel(output, ref first, label.Key, label.Value);
            }

            if (!leWritten)
            {
                AppendLabel(output, ref first, "le", le!);
            }

            output.Append('}');
        }

        output.Append(' ').Append(value).Append('\n');
    }

    private static void AppendLabel(StringBuilder output, ref bool first, string name, string value)
    {
        if (!first)
        {
            output.Append(',');
        }

        first = false;
        output.Append(name).Append("=\"");
        PrometheusText.AppendLabelValue(output, value);
        output.Append('"');
    }

    /// <summary>The first bucket whose bound is at or above the value (bounds are inclusive); NaN counts in +Inf.</summary>
    private int BucketOf(double value)
    {
        int low = 0, high = _bounds.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_bounds[middle] >= value)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    private MetricSeries Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = SeriesKey.Hash(tags);
        if (_keys.TryGetValue(hash, out var keys))
        {
            foreach (var key in keys)
            {
                if (key.Matches(tags))
                {
                    return key.Series;
                }
            }
        }

        return Add(tags, hash);
    }

    private MetricSeries Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash)
    {
        lock (_lock)
        {
            var keys = _keys.GetValueOrDefault(hash, []);
            foreach (var key in keys)
            {
                if (key.Matches(tags))
                {
                    return key.Series;
                }
            }

            var labels = Labels(tags);
            var sortKey = MetricSeries.KeyOf(labels);
            if (!_byLabels.TryGetValue(sortKey, out var series))
            {
                series = new MetricSeries(labels, _bounds.Length + 1);
                _byLabels.Add(sortKey, series);
                Volatile.Write(ref _series, [.. _series, series]);
            }

            _keys[hash] = [.. keys, new SeriesKey(tags.ToArray(), series)];
            return series;
        }
    }

    /// <summary>
    /// Prometheus labels of a tag set: sanitized names, sorted; empty values dropped (Prometheus treats them as
    /// absent); tags whose names sanitize alike joined with <c>;</c> in the order of their original keys.
    /// </summary>
    private KeyValuePair<string, string>[] Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var byName = new SortedDictionary<string, List<(string Key, string Value)>>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            var value = PrometheusNaming.LabelValue(tag.Value);
            if (value.Length == 0)
            {
                continue;
            }

            var name = PrometheusNaming.LabelName(tag.Key, Kind);
            if (!byName.TryGetValue(name, out var values))
            {
                byName[name] = values = [];
            }

            // The same key twice: the last value wins, as in a dictionary.
            values.RemoveAll(v => v.Key == tag.Key);
            values.Add((tag.Key, value));
        }

        return byName
            .Select(n => KeyValuePair.Create(n.Key, string.Join(';', n.Value.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value))))
            .ToArray();
    }
}
