namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// The configured partition/clustering split of a table does not fit its source primary key or the Cassandra table that
/// exists. The configuration is at fault, not the data: the sink waits (the slot keeps the WAL) until it is fixed.
/// </summary>
public sealed class CassandraKeySplitException(string message) : InvalidOperationException(message);
