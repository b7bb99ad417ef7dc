namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>Not enough live replicas for the consistency level; nothing was tried.</summary>
public sealed class CqlUnavailableException(string message, CqlConsistency consistency, int required, int alive)
    : CqlServerException(CqlErrorCode.Unavailable, message)
{
    public CqlConsistency Consistency { get; } = consistency;

    public int Required { get; } = required;

    public int Alive { get; } = alive;
}
