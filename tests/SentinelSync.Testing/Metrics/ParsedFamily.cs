namespace SentinelSync.Testing.Metrics;

/// <summary>One metric family of an exposition: its HELP and TYPE and its samples in output order.</summary>
public sealed class ParsedFamily(string name)
{
    public string Name { get; } = name;

    public string? Help { get; set; }

    public string? Type { get; set; }

    public List<ParsedSample> Samples { get; } = [];
}
