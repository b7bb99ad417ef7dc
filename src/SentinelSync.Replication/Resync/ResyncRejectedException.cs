namespace SentinelSync.Replication.Resync;

/// <summary>A table resync that cannot start or go on, with the reason an operator can act on.</summary>
[GenerateSerializer]
public sealed class ResyncRejectedException(string message) : Exception(message);
