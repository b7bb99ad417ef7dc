namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>No response within the request timeout. The request may still have been applied (transient).</summary>
public sealed class CqlRequestTimeoutException(string message) : TimeoutException(message);
