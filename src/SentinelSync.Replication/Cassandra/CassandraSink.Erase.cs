using SentinelSync.Replication.Erasure;

namespace SentinelSync.Replication.Cassandra;

public sealed partial class CassandraSink : IErasingSink
{
    /// <summary>
    /// A <c>DELETE … USING TIMESTAMP</c> of the key's partition row, sent like a dead-letter replay: its timestamp comes
    /// after every one this sink reserved so far, so it shadows every value written before (fenced by the offset row's
    /// epoch; the offset does not move). Cassandra does not say whether the row existed: the count is the deletes
    /// written. The values stay on disk as shadowed cells until compaction after <c>gc_grace_seconds</c>.
    /// </summary>
    public async Task<SinkErasureCount> EraseAsync(RowChange delete, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delete);
        ErasureKeys.Of(delete);
        var stored = await ReadOffsetAsync(sinkName, delete.Schema.Table, cancellationToken).ConfigureAwait(false);
        var position = stored?.Position ?? default;
        await ReplayAsync(new ChangeBatch(delete.Schema.Table, [delete with { Position = position }], position), sinkName, epoch, cancellationToken).ConfigureAwait(false);
        return new SinkErasureCount(1, "timestamped deletes", "DELETE USING TIMESTAMP above every write so far");
    }
}
