namespace SentinelSync.Replication.Erasure;

/// <summary>What one destination removed for an erasure: a count, what it counts (<c>rows</c>, <c>row versions</c>, <c>messages</c>), and how.</summary>
[GenerateSerializer]
[Immutable]
public sealed record SinkErasureCount(long Count, string Unit, string Action);
