namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The node does not know the prepared id (restarted, or its cache evicted it): prepare again and re-execute.</summary>
public sealed class CqlUnpreparedException(string message, byte[] preparedId)
    : CqlServerException(CqlErrorCode.Unprepared, message)
{
    public byte[] PreparedId { get; } = preparedId;
}
