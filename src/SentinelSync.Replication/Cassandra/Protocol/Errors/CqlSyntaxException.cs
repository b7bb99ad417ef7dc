namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The statement is not valid CQL.</summary>
public sealed class CqlSyntaxException(string message) : CqlServerException(CqlErrorCode.SyntaxError, message);
