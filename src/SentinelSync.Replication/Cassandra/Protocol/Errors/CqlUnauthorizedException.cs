namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The user lacks a permission the statement needs.</summary>
public sealed class CqlUnauthorizedException(string message) : CqlServerException(CqlErrorCode.Unauthorized, message);
