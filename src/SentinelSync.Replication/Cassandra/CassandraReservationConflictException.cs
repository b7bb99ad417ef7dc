namespace SentinelSync.Replication.Cassandra;

/// <summary>Another apply of the same epoch reserved timestamps meanwhile; retrying reads the new reservation (transient).</summary>
public sealed class CassandraReservationConflictException(string message) : InvalidOperationException(message);
