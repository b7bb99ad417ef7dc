namespace SentinelSync.Replication.Cassandra;

/// <summary>A row of <c>sentinel_offsets</c>: the applied position, the epoch owning it and the highest reserved write timestamp.</summary>
public sealed record CassandraOffset(Position Position, long Epoch, long ReservedTimestamp);
