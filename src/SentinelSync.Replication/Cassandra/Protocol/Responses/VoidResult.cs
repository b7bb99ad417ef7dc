namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>RESULT kind Void: a write or DDL without anything to return.</summary>
public sealed record VoidResult : CqlResponse;
