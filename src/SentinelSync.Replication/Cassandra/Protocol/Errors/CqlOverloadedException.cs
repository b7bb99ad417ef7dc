namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The coordinator is overloaded; retry later (transient).</summary>
public sealed class CqlOverloadedException(string message) : CqlServerException(CqlErrorCode.Overloaded, message);
