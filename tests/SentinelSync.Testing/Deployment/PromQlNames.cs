using System.Text.RegularExpressions;

namespace SentinelSync.Testing.Deployment;

/// <summary>
/// The metric names a PromQL expression selects (as written in alert rules and Grafana panels): identifiers that are
/// not functions, keywords, label names or durations. Enough for the expressions this repository writes; not a parser.
/// </summary>
public static partial class PromQlNames
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan",
    };

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex Groupings();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\()?)")]
    private static partial Regex Identifiers();

    public static IReadOnlySet<string> In(string expression)
    {
        var rest = Strings().Replace(expression, " ");
        rest = LabelMatchers().Replace(rest, " ");
        rest = Groupings().Replace(rest, " ");
        rest = Ranges().Replace(rest, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifiers().Matches(rest))
        {
            var isCall = match.Groups[1].Success;
            var afterDigit = match.Index > 0 && (char.IsDigit(rest[match.Index - 1]) || rest[match.Index - 1] == '.');
            if (!isCall && !afterDigit && !s_keywords.Contains(match.Value.ToLowerInvariant()) && !match.Value.StartsWith('$'))
            {
                names.Add(match.Value);
            }
        }

        return names;
    }
}
