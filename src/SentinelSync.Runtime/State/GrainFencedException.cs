namespace SentinelSync.Runtime;

/// <summary>
/// A durable write by an activation that no longer holds its grain's lease: another activation (epoch
/// <see cref="CurrentEpoch"/>) took over. Nothing was written; the stale activation must stop.
/// </summary>
public sealed class GrainFencedException(GrainId grainId, long epoch, long? currentEpoch)
    : InvalidOperationException($"Grain {grainId}: activation with epoch {epoch} was superseded (current epoch {currentEpoch?.ToString() ?? "none"}); its write was refused.")
{
    public GrainId GrainId { get; } = grainId;

    public long Epoch { get; } = epoch;

    public long? CurrentEpoch { get; } = currentEpoch;
}
