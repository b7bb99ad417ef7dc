using Orleans.Concurrency;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// A pipeline's source (key: the pipeline name): owns the replication slot's one connection, the snapshot,
/// the streaming loop and the slot feedback. Exactly one activation in the cluster, placed by hash.
/// </summary>
public interface ISourceGrain : IMovableGrain
{
    /// <summary>Starts the pipeline if it is not running (or restarts it after a failure, with backoff).</summary>
    [Idempotent]
    Task EnsureRunningAsync();

    [ReadOnly]
    [Idempotent]
    Task<SourceStatus> GetStatusAsync();

    /// <summary>
    /// A Kafka pipeline's partitions: offsets, lag and the silo each partition grain runs on, by topic and partition.
    /// Empty for a Postgres pipeline, and while paused or not streaming (asking a stopped partition grain would start it).
    /// </summary>
    [ReadOnly]
    [Idempotent]
    Task<KafkaPartitionStatus[]> GetKafkaPartitionsAsync();

    /// <summary>Progress of the pipeline's tables (empty while paused or before setup found them).</summary>
    [ReadOnly]
    [Idempotent]
    Task<TableProgress[]> GetTableProgressAsync();

    /// <summary>
    /// Stops reading (drain, confirm, table grains stopped) and stays paused, across restarts, until
    /// <see cref="ResumeAsync"/>; the replication slot is kept, so nothing is lost while paused.
    /// </summary>
    [Idempotent]
    Task PauseAsync();

    /// <summary>Clears the pause and starts reading again from the slot's confirmed position.</summary>
    [Idempotent]
    Task ResumeAsync();

    /// <summary>
    /// Re-snapshots one table (<c>schema.table</c>, or a bare name in <c>public</c>) while the pipeline keeps
    /// streaming all of them: its destination tables are emptied and refilled in chunks, in stream order, so
    /// nothing is lost or applied twice. Returns at once with the run's status (the run already under way, if
    /// any); <see cref="GetResyncsAsync"/> follows it.
    /// </summary>
    /// <exception cref="Resync.ResyncRejectedException">Paused, not streaming yet, or not a table of the pipeline.</exception>
    Task<ResyncStatus> ResyncAsync(string table);

    /// <summary>The latest resync of each table resynced since the pipeline last started here.</summary>
    [ReadOnly]
    [Idempotent]
    Task<ResyncStatus[]> GetResyncsAsync();

    /// <summary>
    /// Re-copies exactly <paramref name="keys"/> of one table (text values of its key columns, in column order) in
    /// stream order while the pipeline streams: an upsert for each key the source has, a delete for each it has
    /// not. Returns at once; <see cref="GetRepairAsync"/> follows it. Nothing else of the table is touched.
    /// </summary>
    /// <exception cref="Resync.ResyncRejectedException">Paused, not streaming, not a table of the pipeline, or a resync or repair of it under way.</exception>
    Task<RepairStatus> RepairAsync(string table, string[][] keys);

    /// <summary>A repair started since the pipeline last started here (null when unknown).</summary>
    [ReadOnly]
    [Idempotent]
    Task<RepairStatus?> GetRepairAsync(string id);
}
