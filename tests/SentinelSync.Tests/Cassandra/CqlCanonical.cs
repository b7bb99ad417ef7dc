using System.Collections;
using System.Globalization;

namespace SentinelSync.Tests.Cassandra;

/// <summary>A text form of decoded CQL values for deep comparison: collections element by element, bytes as hex, doubles round-trip.</summary>
public static class CqlCanonical
{
    public static string Of(object? value) => value switch
    {
        null => "null",
        string s => "'" + s + "'",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, object?> fields => "{" + string.Join(", ", fields.Select(f => f.Key + ": " + Of(f.Value))) + "}",
        IEnumerable<KeyValuePair<object?, object?>> pairs => "{" + string.Join(", ", pairs.Select(p => Of(p.Key) + ": " + Of(p.Value))) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Of)) + "]",
        IFormattable formattable => value.GetType().Name + ":" + formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name + ":" + value,
    };
}
