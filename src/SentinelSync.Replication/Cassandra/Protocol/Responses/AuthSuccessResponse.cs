namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>AUTH_SUCCESS: authentication finished; the connection is ready.</summary>
public sealed record AuthSuccessResponse(byte[]? Token) : CqlResponse;
