namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>The statement is valid CQL but not valid here (unknown table or column, wrong type, ...).</summary>
public sealed class CqlInvalidQueryException(string message) : CqlServerException(CqlErrorCode.Invalid, message);
