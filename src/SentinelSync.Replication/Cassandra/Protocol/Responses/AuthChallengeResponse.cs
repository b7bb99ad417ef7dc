namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>AUTH_CHALLENGE: a SASL challenge token to answer with another AUTH_RESPONSE.</summary>
public sealed record AuthChallengeResponse(byte[]? Token) : CqlResponse;
