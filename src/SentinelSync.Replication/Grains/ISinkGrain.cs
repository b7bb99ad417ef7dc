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

    /// <summary>
    /// Erases one row at this destination (right to erasure): <paramref name="delete"/> is a delete of the row's key
    /// as the source names it; it passes this sink's transform (renamed key columns), is applied between two batches
    /// (never beside one, nor beside a dead-letter replay) and fenced like them, and this sink's dead letters that
    /// touch the key are deleted. Never throws for the destination's failure: the result says what happened. Its
    /// own timeout: it may wait for a batch in flight (<see cref="SinkGrain.OperatorGateWait"/>) and for ClickHouse's
    /// delete mutation (<see cref="SinkGrain.EraseDestinationWait"/>).
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<Erasure.SinkErasure> EraseAsync(RowChange delete);

    /// <summary>Applies what is queued (as long as the destination takes it), then deactivates.</summary>
    Task StopAsync();
}
