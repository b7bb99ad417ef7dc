namespace SentinelSync.Diagnostics;

/// <summary>
/// A tag set exactly as an instrument reported it, pointing at its series. Several keys may point at one
/// series (tags in another order, <c>1</c> and <c>"1"</c>, an empty value and no tag): the recording path
/// compares keys without allocating, the series stays unique by its labels.
/// </summary>
internal sealed class SeriesKey(KeyValuePair<string, object?>[] tags, MetricSeries series)
{
    public MetricSeries Series { get; } = series;

    /// <summary>Order-independent, so a tag set hashes alike whatever order a caller passes it in.</summary>
    public static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += HashCode.Combine(tag.Key, tag.Value);
        }

        return hash;
    }

    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
    {
        if (other.Length != tags.Length)
        {
            return false;
        }

        for (var i = 0; i < other.Length; i++)
        {
            // Callers nearly always pass the same order: try the same position first.
            if (!Equal(tags[i], other[i]) && !Contains(other[i]))
            {
                return false;
            }
        }

        return true;
    }

    private bool Contains(KeyValuePair<string, object?> tag)
    {
        foreach (var mine in tags)
        {
            if (Equal(mine, tag))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Equal(KeyValuePair<string, object?> a, KeyValuePair<string, object?> b) =>
        string.Equals(a.Key, b.Key, StringComparison.Ordinal) && Equals(a.Value, b.Value);
}
