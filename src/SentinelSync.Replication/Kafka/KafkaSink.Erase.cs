using SentinelSync.Replication.Erasure;

namespace SentinelSync.Replication.Kafka;

public sealed partial class KafkaSink : IErasingSink
{
    /// <summary>
    /// Kafka cannot delete a message: the erasure publishes the key's delete event (<c>op: "d"</c>) and its tombstone,
    /// so that a compacted topic drops every earlier message of the key at its next compaction and consumers delete
    /// the row. Sent like a dead-letter replay (fenced, the offset does not move), carrying the stored position.
    /// Messages already read by consumers, and topics that are not compacted, keep the values until their retention.
    /// </summary>
    public async Task<SinkErasureCount> EraseAsync(RowChange delete, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delete);
        ErasureKeys.Of(delete);
        var stored = await ReadOffsetAsync(sinkName, delete.Schema.Table, cancellationToken).ConfigureAwait(false);
        var position = stored?.Position ?? default;
        var change = delete with { Position = position };
        await ReplayAsync(new ChangeBatch(delete.Schema.Table, [change], position), sinkName, epoch, cancellationToken).ConfigureAwait(false);
        var published = await _events.EventsAsync(change, cancellationToken).ConfigureAwait(false);
        return new SinkErasureCount(published.Count, "messages", $"delete event and tombstone published to {_options.TopicOf(delete.Schema.Table)}");
    }
}
