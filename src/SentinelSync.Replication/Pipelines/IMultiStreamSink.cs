namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink that can apply batches of several offset keys (<see cref="ChangeBatch.OffsetKey"/>: several tables, or the
/// partitions of a Kafka topic feeding one table) in one destination transaction, storing each key's position with
/// the data, as if <see cref="ISink.ApplyAsync"/> had applied them one after the other in the order given. Many
/// tables or partitions then cost one transaction per round of batches rather than one each.
/// </summary>
public interface IMultiStreamSink
{
    /// <summary>
    /// Applies <paramref name="batches"/> (one table, each of a different stream) exactly once, all or nothing, and
    /// returns each batch's position now durably applied, in order. Fenced and retry-safe as <see cref="ISink.ApplyAsync"/>.
    /// </summary>
    Task<IReadOnlyList<Position>> ApplyStreamsAsync(IReadOnlyList<ChangeBatch> batches, string sinkName, long epoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="batches"/> (each of its own offset key, of any tables) exactly once, all or nothing,
    /// each fenced by its own sink activation's epoch (<paramref name="epochs"/>, same order): when any of them is
    /// stale, <see cref="Sinks.SinkFencedException"/> is thrown and nothing is written for any of them. Returns each
    /// batch's position now durably applied, in order. Retry-safe as <see cref="ISink.ApplyAsync"/>.
    /// </summary>
    Task<IReadOnlyList<Position>> ApplyStreamsAsync(IReadOnlyList<ChangeBatch> batches, IReadOnlyList<long> epochs, string sinkName, CancellationToken cancellationToken = default);
}
