using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SentinelSync.Testing.Metrics;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, written for these tests from the format's
/// description: every line must be a HELP, a TYPE or a sample; names, labels, escapes and numbers must follow
/// the grammar; a family's TYPE (and HELP, which is optional) comes once, before its samples, which are
/// contiguous; no series twice, no label twice (in any order, as the format allows; <c>{}</c> is an empty set);
/// histograms cumulative, ending in <c>+Inf</c>, with <c>_count</c> equal to it.
/// Anything else throws <see cref="FormatException"/> naming the line.
/// </summary>
public static partial class ExpositionParser
{
    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    // Go's strconv.ParseFloat accepts these decimal forms (Prometheus parses values with it).
    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")]
    private static partial Regex Decimal();

    private static readonly string[] s_types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static ParsedExposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var families = new Dictionary<string, ParsedFamily>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        ParsedFamily? current = null;
        var lines = text.Length == 0 ? [] : text[..^1].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i];
            void Fail(string problem) => throw new FormatException($"line {number}: {problem}: {line}");

            if (line.StartsWith('#'))
            {
                var match = Regex.Match(line, "^# (HELP|TYPE) ([^ ]+) (.*)$");
                if (!match.Success)
                {
                    Fail("a comment line must be '# HELP name text' or '# TYPE name type'");
                }

                var name = match.Groups[2].Value;
                if (!MetricName().IsMatch(name))
                {
                    Fail($"'{name}' is not a valid metric name");
                }

                if (current?.Name != name)
                {
                    if (current is not null)
                    {
                        finished.Add(current.Name);
                    }

                    if (finished.Contains(name) || families.ContainsKey(name))
                    {
                        Fail($"family {name} appears twice");
                    }

                    current = new ParsedFamily(name);
                    families.Add(name, current);
                }

                if (current.Samples.Count > 0)
                {
                    Fail($"{match.Groups[1].Value} of {name} after its samples");
                }

                if (match.Groups[1].Value == "HELP")
                {
                    if (current.Help is not null)
                    {
                        Fail($"second HELP for {name}");
                    }

                    current.Help = Unescape(match.Groups[3].Value, allowQuote: false) ?? throw new FormatException($"line {number}: bad escape in HELP: {line}");
                }
                else
                {
                    if (current.Type is not null)
                    {
                        Fail($"second TYPE for {name}");
                    }

                    if (!s_types.Contains(match.Groups[3].Value))
                    {
                        Fail($"unknown type '{match.Groups[3].Value}'");
                    }

                    current.Type = match.Groups[3].Value;
                }

                continue;
            }

            var sample = ParseSample(line, number);
            if (current is null || current.Type is null)
            {
                Fail("a sample before its family's TYPE");
            }

            var allowed = current!.Type == "histogram"
                ? new[] { current.Name + "_bucket", current.Name + "_sum", current.Name + "_count" }
                : [current.Name];
            if (!allowed.Contains(sample.Name))
            {
                Fail($"sample {sample.Name} does not belong to family {current.Name} ({current.Type})");
            }

            if (!series.Add(sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}"))
            {
                Fail("duplicate series");
            }

            if (current.Type == "counter" && (!current.Name.EndsWith("_total", StringComparison.Ordinal) || !(sample.Value >= 0)))
            {
                Fail("a counter must be named *_total and hold a non-negative value");
            }

            current.Samples.Add(sample);
        }

        foreach (var family in families.Values)
        {
            if (family.Type is null)
            {
                throw new FormatException($"family {family.Name} lacks a TYPE");
            }

            if (family.Type == "histogram")
            {
                CheckHistogram(family);
            }
        }

        return new ParsedExposition(families);
    }

    private static ParsedSample ParseSample(string line, int number)
    {
        FormatException Bad(string problem) => new($"line {number}: {problem}: {line}");

        var position = 0;
        while (position < line.Length && line[position] is not ('{' or ' '))
        {
            position++;
        }

        var name = line[..position];
        if (!MetricName().IsMatch(name))
        {
            throw Bad($"'{name}' is not a valid metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position + 1 < line.Length && line[position] == '{' && line[position + 1] == '}')
        {
            position += 2;
        }
        else if (position < line.Length && line[position] == '{')
        {
            position++;
            while (true)
            {
                var start = position;
                while (position < line.Length && line[position] != '=')
                {
                    position++;
                }

                var label = line[start..position];
                if (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal))
                {
                    throw Bad($"'{label}' is not a valid label name");
                }

                if (labels.ContainsKey(label))
                {
                    throw Bad($"label '{label}' repeated");
                }

                if (position + 1 >= line.Length || line[position + 1] != '"')
                {
                    throw Bad("a label value must be quoted");
                }

                position += 2;
                var raw = new StringBuilder();
                while (position < line.Length && line[position] != '"')
                {
                    if (line[position] == '\\' && position + 1 < line.Length)
                    {
                        raw.Append(line[position++]);
                    }

                    raw.Append(line[position++]);
                }

                if (position >= line.Length)
                {
                    throw Bad("unterminated label value");
                }

                labels[label] = Unescape(raw.ToString(), allowQuote: true) ?? throw Bad("bad escape in a label value");
                position++;
                if (position < line.Length && line[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < line.Length && line[position] == '}')
                {
                    position++;
                    break;
                }

                throw Bad("expected ',' or '}' after a label");
            }
        }

        if (position >= line.Length || line[position] != ' ')
        {
            throw Bad("expected one space before the value");
        }

        var rest = line[(position + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw Bad("expected a value and at most an integer timestamp");
        }

        return new ParsedSample(name, labels, ParseValue(rest[0]) ?? throw Bad($"'{rest[0]}' is not a float"), number);
    }

    /// <summary>A sample value: a decimal float or NaN, +Inf, -Inf exactly as written by Prometheus clients.</summary>
    public static double? ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when Decimal().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string? Unescape(string text, bool allowQuote)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                return null;
            }

            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            if (++i >= text.Length)
            {
                return null;
            }

            switch (text[i])
            {
                case '\\':
                    result.Append('\\');
                    break;
                case 'n':
                    result.Append('\n');
                    break;
                case '"' when allowQuote:
                    result.Append('"');
                    break;
                default:
                    return null;
            }
        }

        return result.ToString();
    }

    private static void CheckHistogram(ParsedFamily family)
    {
        static string Key(ParsedSample s) => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

        foreach (var group in family.Samples.GroupBy(Key))
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToList();
            var where = $"histogram {family.Name}{{{group.Key}}}";
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le")))
            {
                throw new FormatException($"{where}: buckets missing or without 'le'");
            }

            var previousBound = double.NegativeInfinity;
            var previousCount = 0.0;
            foreach (var bucket in buckets)
            {
                var bound = ParseValue(bucket.Labels["le"]) ?? throw new FormatException($"line {bucket.Line}: le '{bucket.Labels["le"]}' is not a float");
                if (!(bound > previousBound) || bucket.Value < previousCount || bucket.Value != Math.Floor(bucket.Value))
                {
                    throw new FormatException($"line {bucket.Line}: {where}: bounds must increase and counts be whole and cumulative");
                }

                previousBound = bound;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousBound))
            {
                throw new FormatException($"{where}: the last bucket must be le=\"+Inf\"");
            }

            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{where}: no _count");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{where}: no _sum");
            if (count.Value != previousCount)
            {
                throw new FormatException($"line {count.Line}: {where}: _count {count.Value} differs from the +Inf bucket {previousCount}");
            }
        }
    }
}
