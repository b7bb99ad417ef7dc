namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink that can apply batches of one table from several streams (<see cref="ChangeBatch.Stream"/>: the
/// partitions of a Kafka topic) in one destination transaction, storing each stream's position with the data, as
/// if <see cref="ISink.ApplyAsync"/> had applied them one after the other in the order given. A table spread over
/// many partitions then costs one transaction per round of batches rather than one per partition.
/// </summary>
public interface IMultiStreamSink
{
    /// <summary>
    /// Applies <paramref name="batches"/> (one table, each of a different stream) exactly once, all or nothing, and
    /// returns each batch's position now durably applied, in order. Fenced and retry-safe as <see cref="ISink.ApplyAsync"/>.
    /// </summary>
    Task<IReadOnlyList<Position>> ApplyStreamsAsync(IReadOnlyList<ChangeBatch> batches, string sinkName, long epoch, CancellationToken cancellationToken = default);
}
