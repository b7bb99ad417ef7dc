namespace SentinelSync.Replication.Cassandra;

/// <summary>A source value the mapped CQL type cannot hold (numeric NaN, infinite dates, NULL inside an array): the change is dead-lettered.</summary>
public sealed class CassandraValueException(string message) : InvalidOperationException(message);
