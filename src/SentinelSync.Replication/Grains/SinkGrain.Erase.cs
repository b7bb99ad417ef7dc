using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Erasure;
using SentinelSync.Replication.Masking;

namespace SentinelSync.Replication.Grains;

public sealed partial class SinkGrain
{
    /// <summary>
    /// How long an operator's call (an erasure, a dead-letter replay) waits for the batch in flight before it gives up
    /// having done nothing: inside a grain turn, an unbounded wait would hold the grain's other calls with it.
    /// </summary>
    public static readonly TimeSpan OperatorGateWait = TimeSpan.FromSeconds(60);

    /// <summary>How long an erasure gives the destination (ClickHouse's delete mutation) within the grain call's timeout.</summary>
    public static readonly TimeSpan EraseDestinationWait = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Takes the apply gate, so the erasure lands between two batches: a batch in flight is committed first, and no
    /// batch or replay starts until the row is gone. Changes of the key still queued here (or still at the source)
    /// are applied after it and bring the row back: an erasure follows the source's delete.
    /// </summary>
    public async Task<SinkErasure> EraseAsync(RowChange delete)
    {
        ArgumentNullException.ThrowIfNull(delete);
        var rowKey = RowKeys.Of(delete).Single();
        var destination = DestinationKind();

        // Bounded: a batch retrying against a destination that is down holds the gate, and so would this turn (and the
        // grain's other calls) with it. Nothing is erased then, at the destination nor in the dead-letter queue.
        if (!await _applyGate.WaitAsync(OperatorGateWait, _stop.Token))
        {
            return new SinkErasure(_sinkName, destination, null, 0,
                $"the sink was still applying a batch after {OperatorGateWait.TotalSeconds:0} s (its destination may be down or slow: see sentinel pipelines); nothing was erased here, run the erasure again");
        }

        try
        {
            SinkErasureCount? removed = null;
            string? error = null;
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                deadline.CancelAfter(EraseDestinationWait);
                removed = _sink is IErasingSink eraser
                    ? await eraser.EraseAsync(_transform is null ? delete : _transform.Apply(delete), _sinkName, Epoch, deadline.Token)
                    : null;
                error = removed is null
                    ? $"the {destination} sink cannot erase rows yet; delete the row at that destination by hand"
                    : null;
            }
            catch (TransformRefusedException e)
            {
                error = "refused by this sink's transform: " + e.Message;
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                error = $"the destination did not finish within {EraseDestinationWait.TotalMinutes:0} min (a ClickHouse mutation goes on: see system.mutations); run the erasure again to check";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = ErrorText.Describe(e);
            }

            // The dead letters hold the row's values whatever the destination did: they go in any case.
            var purged = await deadLetters.PurgeKeyAsync(_pipeline, _sinkName, _table, rowKey, _stop.Token);
            // Not the error's text: a destination's message may quote the statement, and with it the key.
            LogErased(logger, Key, removed?.Count ?? -1, purged, error is null ? "done" : "failed or refused (see the erase's answer)");
            return new SinkErasure(_sinkName, destination, removed, purged, error);
        }
        finally
        {
            _poisonedKeys = await deadLetters.PendingKeysAsync(_pipeline, _sinkName, _table, CancellationToken.None);
            _applyGate.Release();
        }
    }

    private string DestinationKind()
    {
        var config = pipelines.GetSink(_pipeline, _sinkName);
        return config.Postgres is not null ? "postgres"
            : config.ClickHouse is not null ? "clickhouse"
            : config.Kafka is not null ? "kafka"
            : config.Cassandra is not null ? "cassandra"
            : "unknown";
    }
}
