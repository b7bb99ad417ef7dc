namespace SentinelSync.Runtime;

/// <summary>The grain's lease is held by another live silo: it is active there (or still draining from there).</summary>
public sealed class GrainLeaseHeldException(GrainId grainId, string holder)
    : InvalidOperationException($"Grain {grainId} is active on silo '{holder}'; its lease was not released in time.")
{
    public GrainId GrainId { get; } = grainId;

    public string Holder { get; } = holder;
}
