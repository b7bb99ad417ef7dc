namespace SentinelSync.Replication.Cassandra.Client;

/// <summary>A connection could not be opened, or broke while requests were in flight (transient: another host or a later try may work).</summary>
public sealed class CqlConnectionException(string message, Exception? inner = null) : IOException(message, inner);
