using System.Diagnostics;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Stream batches sent to a sink that keeps several in flight (<see cref="IPipelinedSink"/>, the Kafka sink): up to
/// <see cref="MaxSendsInFlight"/> at once, accounted for in queue order as their acknowledgements arrive, so the
/// position reported as applied never passes a batch not yet acknowledged. When one fails, it and every batch sent
/// after it are applied again the ordinary way (retries, narrowing, dead letters), in order, once all have finished.
/// </summary>
public sealed partial class SinkGrain
{
    /// <summary>Batches sent and not yet acknowledged, per sink and table.</summary>
    internal const int MaxSendsInFlight = 4;

    private readonly Queue<InFlightSend> _sends = new();

    private sealed record InFlightSend(ChangeBatch Batch, int Taken, List<ChangeBatch>? Parts, long Started, Task<Position> Acknowledged);

    /// <summary>Whether <paramref name="batch"/> may be sent while others are in flight: ordinary stream changes only.</summary>
    private bool CanSend(ChangeBatch batch) =>
        _sink is IPipelinedSink { CanPipeline: true } && IsMergeable(batch) && batch.Stream is null && _poisonedKeys.Count == 0 && _copies.Count == 0;

    /// <summary>Whether the next queued batch may join the batches in flight.</summary>
    private bool NextIsSendable()
    {
        lock (_lock)
        {
            return _queue.TryPeek(out var next) && CanSend(next);
        }
    }

    private async Task StartSendAsync(IPipelinedSink sink, ChangeBatch batch, int taken, List<ChangeBatch>? parts, CancellationToken stop)
    {
        if (_sends.Count == 0)
        {
            // Held while batches are in flight: a dead-letter replay waits for them.
            await _applyGate.WaitAsync(stop);
        }

        Task<Position> acknowledged;
        try
        {
            acknowledged = await sink.SendAsync(batch, _sinkName, Epoch, stop);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            // Not sent (fenced, the control database unreachable): handled in its turn, as a failed acknowledgement.
            acknowledged = Task.FromException<Position>(e);
        }

        _sends.Enqueue(new InFlightSend(batch, taken, parts, Stopwatch.GetTimestamp(), acknowledged));
    }

    /// <summary>Waits until a batch is queued or the oldest send is acknowledged, whichever comes first.</summary>
    private async Task WorkOrOldestSendAsync(CancellationToken stop)
    {
        Task arrived;
        lock (_lock)
        {
            if (_queue.Count > 0)
            {
                return;
            }

            if (_arrived.Task.IsCompleted)
            {
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            arrived = _arrived.Task;
        }

        await Task.WhenAny(arrived, _sends.Peek().Acknowledged).WaitAsync(stop);
    }

    /// <summary>
    /// Accounts for the oldest send once acknowledged; after a failure, applies it and every later send again the
    /// ordinary way. False when the sink was fenced and stops.
    /// </summary>
    private async Task<bool> CompleteOldestSendAsync(CancellationToken stop)
    {
        var send = _sends.Peek();
        var spans = SinkBatchSpans.Start(_pipeline, _sinkName, send.Parts, send.Batch.Count);
        try
        {
            await send.Acknowledged.WaitAsync(stop);
            spans?.Committed();
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            spans?.Failed(e, e is SinkFencedException ? "fenced" : "failed");
            return await ApplyFailedSendsAsync(e, stop);
        }
        catch (Exception e) when (spans is not null)
        {
            spans.Failed(e, "stopped");
            throw;
        }
        finally
        {
            spans?.Dispose();
        }

        _sends.Dequeue();
        SetRetrying(0, null);
        PipelineInstruments.Applied(_pipeline, _sinkName, _table, send.Batch.Count, send.Started);
        Account(send.Batch, send.Taken);
        if (_sends.Count == 0)
        {
            _applyGate.Release();
        }

        return true;
    }

    /// <summary>Every send still in flight failed with the oldest: wait for all of them, then apply each the ordinary way, in order.</summary>
    private async Task<bool> ApplyFailedSendsAsync(Exception error, CancellationToken stop)
    {
        var failed = _sends.ToList();
        _sends.Clear();
        try
        {
            // The sink keeps its table's offset row locked until every batch in flight was reported.
            await Task.WhenAll(failed.Select(f => f.Acknowledged)).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).WaitAsync(stop);
            if (error is SinkFencedException fenced)
            {
                await StopFencedAsync(fenced);
                return false;
            }

            LogSendsFailed(logger, Key, failed.Count, error.Message);
            foreach (var send in failed)
            {
                if (!await ApplyTakenAsync(send.Batch, send.Taken, send.Parts, stop, gateHeld: true))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            _applyGate.Release();
        }
    }
}
