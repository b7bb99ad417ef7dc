namespace SentinelSync.Replication.Cassandra;

/// <summary>A Cassandra table needs a primary key; a source table without one cannot be replicated there.</summary>
public sealed class KeylessTableException(TableName table)
    : InvalidOperationException($"Table {table} has no primary key; a Cassandra table needs one (add a key at the source, or leave the table out of this sink).");
