namespace SentinelSync.Replication.Erasure;

/// <summary>
/// What an erasure did at one sink: <see cref="Removed"/> at the destination (null when it failed or was refused,
/// <see cref="Error"/> then says why) and the dead letters of the key deleted.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record SinkErasure(string Sink, string Destination, SinkErasureCount? Removed, int DeadLettersPurged, string? Error)
{
    public bool Done => Error is null;
}
