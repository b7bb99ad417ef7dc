namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>RESULT kind Schema_change: the answer to DDL.</summary>
public sealed record SchemaChangeResult(SchemaChange Change) : CqlResponse;
