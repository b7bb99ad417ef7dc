namespace SentinelSync.Testing.Metrics;

/// <summary>A validated exposition, by family name, with look-ups for the tests.</summary>
public sealed class ParsedExposition(IReadOnlyDictionary<string, ParsedFamily> families)
{
    public IReadOnlyDictionary<string, ParsedFamily> Families { get; } = families;

    public ParsedFamily Family(string name) =>
        Families.TryGetValue(name, out var family)
            ? family
            : throw new Xunit.Sdk.XunitException($"no family {name}; families: {string.Join(", ", Families.Keys)}");

    /// <summary>The value of the one sample named <paramref name="sample"/> whose labels are exactly <paramref name="labels"/>.</summary>
    public double Value(string sample, params (string Name, string Value)[] labels) =>
        Find(sample, labels)?.Value ?? throw new Xunit.Sdk.XunitException(
            $"no sample {sample}{{{string.Join(",", labels.Select(l => $"{l.Name}={l.Value}"))}}}; samples named so: {string.Join("; ", Samples(sample).Select(s => string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))))}");

    public ParsedSample? Find(string sample, params (string Name, string Value)[] labels) =>
        Samples(sample).SingleOrDefault(s => s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    public IEnumerable<ParsedSample> Samples(string sample) =>
        Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == sample);
}
