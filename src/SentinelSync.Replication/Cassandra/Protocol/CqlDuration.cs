namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>A CQL duration: months, days and nanoseconds, kept apart as the protocol does (a month has no fixed length).</summary>
public readonly record struct CqlDuration(int Months, int Days, long Nanoseconds);
