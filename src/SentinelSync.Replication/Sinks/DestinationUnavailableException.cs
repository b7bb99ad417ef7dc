namespace SentinelSync.Replication.Sinks;

/// <summary>The destination could not be reached or refused the sink itself: retried until it works again, never dead-lettered.</summary>
public sealed class DestinationUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
