using Orleans.Concurrency;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// One table into one destination (key <c>pipeline/sink/schema.table</c>). It owns a queue and applies it in
/// order, retrying transient failures without limit and dead-lettering changes that fail permanently.
/// </summary>
public interface ISinkGrain : IGrainWithStringKey
{
    /// <summary>Queues batches (in order) and returns how many changes now wait (the caller slows down above its limit).</summary>
    Task<int> EnqueueAsync(ChangeBatch[] batches);

    [ReadOnly]
    [Idempotent]
    Task<SinkProgress> GetProgressAsync();

    /// <summary>
    /// Applies this sink's pending dead letters of this table again, in position order (only
    /// <paramref name="ids"/> when not empty); returns how many succeeded. Stops at the first failure.
    /// </summary>
    Task<int> ReplayDeadLettersAsync(long[] ids);

    /// <summary>Applies what is queued (as long as the destination takes it), then deactivates.</summary>
    Task StopAsync();
}
