namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>RESULT kind Set_keyspace: the answer to <c>USE ks</c>.</summary>
public sealed record SetKeyspaceResult(string Keyspace) : CqlResponse;
