namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>Replicas answered a read or write with a failure (v4: a failure count; the write type for writes).</summary>
public sealed class CqlFailureException(CqlErrorCode code, string message, CqlConsistency consistency, int received, int blockFor, int failures, string? writeType)
    : CqlServerException(code, message)
{
    public CqlConsistency Consistency { get; } = consistency;

    public int Received { get; } = received;

    public int BlockFor { get; } = blockFor;

    public int Failures { get; } = failures;

    public string? WriteType { get; } = writeType;

    public bool DataPresent { get; init; }
}
