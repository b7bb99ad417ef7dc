namespace SentinelSync.Replication.Resync;

/// <summary>A table resync that cannot start or go on, with the reason an operator can act on.</summary>
public sealed class ResyncRejectedException(string message) : Exception(message);
