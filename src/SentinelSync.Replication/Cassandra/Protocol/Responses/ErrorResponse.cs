using SentinelSync.Replication.Cassandra.Protocol.Errors;

namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>ERROR, decoded into the exception that a request's caller gets thrown.</summary>
public sealed record ErrorResponse(CqlServerException Exception) : CqlResponse;
