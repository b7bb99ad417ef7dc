namespace SentinelSync.Testing.Metrics;

/// <summary>One sample line of an exposition: name, labels (unescaped) and value.</summary>
public sealed record ParsedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, int Line);
