namespace SentinelSync.Replication.Erasure;

/// <summary>An erasure request that cannot be carried out as asked (nothing was erased); the message says why, never quoting a key value.</summary>
public sealed class ErasureRejectedException(string message) : Exception(message);
