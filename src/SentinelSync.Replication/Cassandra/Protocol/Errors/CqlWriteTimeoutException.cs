namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>
/// The coordinator gave up waiting for replica acknowledgements. The write may or may not have been applied;
/// the sink's timestamped writes make retrying it harmless. <see cref="WriteType"/>: SIMPLE, BATCH, UNLOGGED_BATCH,
/// COUNTER, BATCH_LOG, CAS, VIEW, CDC.
/// </summary>
public sealed class CqlWriteTimeoutException(string message, CqlConsistency consistency, int received, int blockFor, string writeType)
    : CqlServerException(CqlErrorCode.WriteTimeout, message)
{
    public CqlConsistency Consistency { get; } = consistency;

    public int Received { get; } = received;

    public int BlockFor { get; } = blockFor;

    public string WriteType { get; } = writeType;
}
