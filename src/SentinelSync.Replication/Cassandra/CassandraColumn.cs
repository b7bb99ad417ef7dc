namespace SentinelSync.Replication.Cassandra;

/// <summary>A source column (by its index in the schema) and the CQL type it is written as.</summary>
public sealed record CassandraColumn(int SourceIndex, string Name, CassandraColumnType Type, bool IsKey);
