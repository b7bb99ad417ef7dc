namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>READY: STARTUP accepted, no authentication needed.</summary>
public sealed record ReadyResponse : CqlResponse;
