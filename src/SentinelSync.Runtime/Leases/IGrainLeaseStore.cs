namespace SentinelSync.Runtime;

/// <summary>
/// Grain ownership leases with fencing epochs. One row per grain, never deleted, so the epoch only grows.
/// </summary>
/// <remarks>
/// <c>AcquireAsync</c> atomically makes this silo the holder and increments the epoch; it returns the new
/// epoch. Durable writes of the grain (state, sink offsets) are conditioned on that epoch, so once another
/// activation acquired the lease, writes of the older one fail. <c>ReleaseAsync</c> marks the lease free if
/// it still carries the epoch; it never lowers the epoch.
/// </remarks>
public interface IGrainLeaseStore
{
    Task<long> AcquireAsync(GrainId grainId, CancellationToken cancellationToken);

    Task ReleaseAsync(GrainId grainId, long epoch);
}
