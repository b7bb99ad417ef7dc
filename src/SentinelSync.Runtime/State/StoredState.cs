namespace SentinelSync.Runtime;

/// <summary>A grain state record as stored: JSON text and its ETag.</summary>
public sealed record StoredState(string Json, string Etag);
