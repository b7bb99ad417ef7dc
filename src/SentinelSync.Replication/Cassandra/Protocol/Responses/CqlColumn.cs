namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>A column (or bind marker) of result or prepared metadata.</summary>
public sealed record CqlColumn(string Keyspace, string Table, string Name, CqlType Type);
