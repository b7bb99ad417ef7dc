using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// A sink whose applied positions can be read back: a source whose own position lives in the destinations (a
/// Kafka partition resumes from what every sink applied) reads them here. The offset read is the one the sink
/// writes in the same transaction as the data, so it is exact.
/// </summary>
public interface IStoredOffsets
{
    /// <summary>What <paramref name="sinkName"/> applied of <paramref name="table"/> from <paramref name="stream"/> (see <see cref="ChangeBatch.Stream"/>); null before its first batch.</summary>
    Task<SinkOffset?> ReadOffsetAsync(string sinkName, TableName table, string? stream, CancellationToken cancellationToken = default);
}
