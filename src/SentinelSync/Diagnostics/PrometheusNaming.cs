using System.Globalization;
using System.Text;

namespace SentinelSync.Diagnostics;

/// <summary>
/// Turns OpenTelemetry-style instrument names, units and tag keys into Prometheus names, following the
/// OpenTelemetry-to-Prometheus compatibility rules: invalid characters become <c>_</c>, the unit becomes a
/// suffix (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>{call}</c> → nothing), counters end in
/// <c>_total</c>.
/// </summary>
internal static class PrometheusNaming
{
    private static readonly Dictionary<string, string> s_units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tebibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["bit"] = "bits",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> s_perUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["min"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>The family name: sanitized instrument name, unit suffix unless already there, <c>_total</c> for counters.</summary>
    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var counter = kind is MetricKind.Counter or MetricKind.ObservableCounter;
        if (counter && name.EndsWith("_total", StringComparison.Ordinal) && name.Length > "_total".Length)
        {
            name = name[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit, kind);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = $"{name}_{suffix}";
        }

        return counter ? name + "_total" : name;
    }

    /// <summary>
    /// The name of a label: invalid characters become <c>_</c>; a leading digit, a leading <c>__</c> (reserved
    /// by Prometheus) and, on histograms, the name <c>le</c> get a <c>key_</c> or <c>key</c> prefix.
    /// </summary>
    public static string LabelName(string tagKey, MetricKind kind)
    {
        var name = Sanitize(tagKey, allowColon: false);
        if (char.IsAsciiDigit(name[0]))
        {
            return "key_" + name;
        }

        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            return "key" + name;
        }

        return kind == MetricKind.Histogram && name == "le" ? "key_le" : name;
    }

    /// <summary>The unit as a name suffix; empty when the unit is absent, dimensionless or only an annotation.</summary>
    public static string UnitSuffix(string? unit, MetricKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var withoutAnnotations = RemoveAnnotations(unit).Trim();
        if (withoutAnnotations == "1")
        {
            return kind is MetricKind.Gauge or MetricKind.ObservableGauge ? "ratio" : string.Empty;
        }

        var slash = withoutAnnotations.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Word(withoutAnnotations, s_units);
        }

        var main = Word(withoutAnnotations[..slash], s_units);
        var per = Word(withoutAnnotations[(slash + 1)..], s_perUnits);
        return per.Length == 0 ? main : main.Length == 0 ? $"per_{per}" : $"{main}_per_{per}";
    }

    private static string Word(string unit, Dictionary<string, string> known)
    {
        unit = unit.Trim();
        if (unit.Length == 0 || unit == "1")
        {
            return string.Empty;
        }

        return known.TryGetValue(unit, out var word) ? word : Sanitize(unit, allowColon: false).Trim('_');
    }

    private static string RemoveAnnotations(string unit)
    {
        var result = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var result = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]) && allowColon)
        {
            result.Append('_');
        }

        foreach (var c in name)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        return result.ToString();
    }

    /// <summary>Tag values as label text: invariant culture, <c>true</c>/<c>false</c> in lower case, null as empty.</summary>
    public static string LabelValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
