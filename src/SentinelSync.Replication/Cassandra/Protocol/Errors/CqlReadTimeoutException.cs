namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The coordinator gave up waiting for replica responses to a read.</summary>
public sealed class CqlReadTimeoutException(string message, CqlConsistency consistency, int received, int blockFor, bool dataPresent)
    : CqlServerException(CqlErrorCode.ReadTimeout, message)
{
    public CqlConsistency Consistency { get; } = consistency;

    public int Received { get; } = received;

    public int BlockFor { get; } = blockFor;

    public bool DataPresent { get; } = dataPresent;
}
