namespace SentinelSync.Replication.Sinks;

/// <summary>
/// What a sink durably applied for one source table: everything at or below <see cref="Position"/>, written by
/// the activation with <see cref="Epoch"/>.
/// </summary>
public sealed record SinkOffset(Position Position, long Epoch, DateTimeOffset UpdatedAt);
