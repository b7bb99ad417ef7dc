using System.Collections.Concurrent;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Batches in flight together (<see cref="IPipelinedSink"/>): the next batch of a table is produced while earlier ones
/// wait for the brokers' acknowledgements, under one lock of the table's offset row (<see cref="KafkaSendWindow"/>).
/// The rule of <see cref="ApplyAsync"/> holds batch by batch: a batch counts as applied only once the brokers
/// acknowledged it and every batch before it, and its position is stored after that, in order.
/// </summary>
public sealed partial class KafkaSink
{
    private readonly ConcurrentDictionary<(string Sink, TableName Table), KafkaSendWindow> _windows = new();

    /// <summary>A transactional sink commits one Kafka transaction per batch and takes batches one at a time.</summary>
    public bool CanPipeline => !_options.Transactional;

    public async Task<Task<Position>> SendAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        var window = await WindowAsync(sinkName, batch, epoch, cancellationToken).ConfigureAwait(false);
        var pending = batch.Changes.Where(c => c.Position > window.Stored.Position).ToList();
        Task delivered;
        var sent = 0;
        try
        {
            // As in ApplyAsync: converted before anything is sent, so a value the format cannot carry sends nothing.
            var events = new List<(RowChange Change, IReadOnlyList<DebeziumEvent> Events)>(pending.Count);
            foreach (var change in pending)
            {
                events.Add((change, await _events.EventsAsync(change, cancellationToken).ConfigureAwait(false)));
            }

            if (events.Count == 0)
            {
                delivered = Task.CompletedTask;
            }
            else
            {
                var topic = _options.TopicOf(batch.Table);
                var partitions = await _topics.EnsureAsync(topic, cancellationToken).ConfigureAwait(false);
                var messages = Messages(topic, partitions, events);
                var producer = Producer();
                var delivery = await ProduceAllAsync(producer, messages, cancellationToken).ConfigureAwait(false);
                // Not cancelled with the caller: the row stays locked until every message sent under it was reported.
                delivered = DeliveredAsync(producer, delivery, messages.Count, CancellationToken.None);
                sent = messages.Count;
            }
        }
        catch (Exception e)
        {
            delivered = Task.FromException(e);
        }

        return LoggedAsync(window.Attach(batch, delivered), sinkName, batch, pending.Count, sent);
    }

    /// <summary>The window of <paramref name="sinkName"/>'s table with room for one more batch, opened (and the row locked) when needed.</summary>
    private async Task<KafkaSendWindow> WindowAsync(string sinkName, ChangeBatch batch, long epoch, CancellationToken cancellationToken)
    {
        var key = (sinkName, batch.Table);
        Task<Position>? before = null;
        if (_windows.TryGetValue(key, out var window))
        {
            if (window.Epoch == epoch && window.TryReserve())
            {
                return window;
            }

            // Open too long, failed, idle, or another activation's: its batches complete and it commits first. A
            // failure in it fails the batches of the next window too, until ApplyAsync applied the failed ones again.
            await window.DrainAsync().ConfigureAwait(false);
            before = window.Epoch == epoch ? window.Last : null;
        }

        var opened = await KafkaSendWindow.OpenAsync(_control, s_offsets, OffsetKey(sinkName), batch, epoch, before, cancellationToken).ConfigureAwait(false);
        opened.TryReserve();
        _windows[key] = opened;
        return opened;
    }

    /// <summary>After <see cref="ApplyAsync"/> applied a batch of the table in order, batches sent later start afresh.</summary>
    private void ForgetWindow(string sinkName, TableName table)
    {
        if (_windows.TryGetValue((sinkName, table), out var window) && window.Closed.IsCompleted)
        {
            _windows.TryRemove(new KeyValuePair<(string, TableName), KafkaSendWindow>((sinkName, table), window));
        }
    }

    private async Task<Position> LoggedAsync(Task<Position> acknowledged, string sinkName, ChangeBatch batch, int pending, int sent)
    {
        var applied = await acknowledged.ConfigureAwait(false);
        LogBatchSent(_logger, sinkName, batch.Table, pending, batch.Changes.Count - pending, sent, applied);
        return applied;
    }
}
