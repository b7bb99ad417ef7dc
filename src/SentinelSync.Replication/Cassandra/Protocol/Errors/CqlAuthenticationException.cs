namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The server refused the credentials.</summary>
public sealed class CqlAuthenticationException(string message) : CqlServerException(CqlErrorCode.BadCredentials, message);
