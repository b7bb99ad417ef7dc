namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>
/// Replicas answered a read or write with a failure (a failure count, in v5 each failed node's reason code; the write
/// type for writes), or (v5) a lightweight transaction's outcome is unknown.
/// </summary>
public sealed class CqlFailureException(CqlErrorCode code, string message, CqlConsistency consistency, int received, int blockFor, int failures, string? writeType)
    : CqlServerException(code, message)
{
    public CqlConsistency Consistency { get; } = consistency;

    public int Received { get; } = received;

    public int BlockFor { get; } = blockFor;

    public int Failures { get; } = failures;

    public string? WriteType { get; } = writeType;

    public bool DataPresent { get; init; }

    /// <summary>v5: the reason code of each node that failed; null in v4.</summary>
    public IReadOnlyDictionary<System.Net.IPAddress, ushort>? Reasons { get; init; }
}
