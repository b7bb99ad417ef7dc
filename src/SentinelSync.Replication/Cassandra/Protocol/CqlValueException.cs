namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>A value that cannot be written as the CQL type asked for (wrong .NET type, out of range, null in a collection).</summary>
public sealed class CqlValueException(string message) : ArgumentException(message);
