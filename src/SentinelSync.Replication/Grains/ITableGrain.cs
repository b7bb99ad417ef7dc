using Orleans.Concurrency;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// One source table of a pipeline (key <c>pipeline/schema.table</c>): the stream provider that fans its
/// batches out to the table's sink grains, and the place its progress is read from.
/// </summary>
public interface ITableGrain : IGrainWithStringKey
{
    /// <summary>
    /// Queues the batches (in stream order) at every sink of the pipeline; returns the longest sink queue (in
    /// changes). Several batches per call: one grain call per table per read burst, not per transaction.
    /// </summary>
    Task<int> PushAsync(ChangeBatch[] batches);

    [ReadOnly]
    [Idempotent]
    Task<TableProgress> GetProgressAsync();

    /// <summary>Stops the table's sinks (they apply what they hold first) and deactivates.</summary>
    Task StopAsync();
}
