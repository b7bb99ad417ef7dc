namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>Bytes that do not follow the CQL protocol (truncated, out of range, unknown codes); the connection is unusable.</summary>
public class CqlProtocolException(string message, Exception? inner = null) : IOException(message, inner);
