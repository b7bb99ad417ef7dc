using System.Diagnostics;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Snapshot rows copied unparsed (<see cref="ChangeBatch.Copy"/>) into a sink that takes them
/// (<see cref="ISnapshotCopySink"/>): up to <see cref="MaxCopiesInFlight"/> destination transactions at once,
/// accounted for in queue order, so that the position reported as applied never passes a copy still in flight.
/// A copy that fails for good is applied again the ordinary way (parsed, halved down to the failing row, which
/// is dead-lettered), after the copies before it, so the ordinary path's offset only ever moves forward.
/// </summary>
public sealed partial class SinkGrain
{
    /// <summary>Destination transactions of copied snapshot rows in flight at once, per sink and table.</summary>
    internal const int MaxCopiesInFlight = 3;

    private readonly Queue<InFlightCopy> _copies = new();

    private enum QueuedKind
    {
        None,
        Copy,
        Other,
    }

    /// <summary>
    /// Under <c>_lock</c>, after <paramref name="first"/> was taken: merges the copies queued right behind it (adjacent
    /// positions, the same schema) into one of up to the sink's <see cref="ISnapshotCopySink.MergeCopiesUpToChars"/>.
    /// The merged copy holds the same rows at the same positions, so it is applied exactly as the parts would be.
    /// </summary>
    private ChangeBatch MergeQueuedCopies(ChangeBatch first, ref int taken, List<ChangeBatch>? parts)
    {
        if (_sink is not ISnapshotCopySink { MergeCopiesUpToChars: > 0 and var limit } || first.Copy is not { } copy || first.Changes.Count > 0)
        {
            return first;
        }

        List<CopyRows>? merged = null;
        var chars = copy.Utf8.Length;
        var last = first;
        while (_queue.TryPeek(out var next) && next.Changes.Count == 0 && !next.EndsSnapshot && next.Stream == first.Stream && next.Copy is { } more
            && SameSchema(more.Schema, copy.Schema) && more.First == new Position(last.Copy!.Last.Lsn, last.Copy.Last.Ordinal + 1)
            && chars + more.Utf8.Length <= limit)
        {
            _queue.Dequeue();
            _work.Wait(0);
            (merged ??= [copy]).Add(more);
            chars += more.Utf8.Length;
            taken += Weight(next);
            parts?.Add(next);
            last = next;
        }

        return merged is null
            ? first
            : first with { Copy = CopyRows.Join(merged), Through = last.Through };
    }

    private static bool SameSchema(TableSchema a, TableSchema b) =>
        ReferenceEquals(a, b) || (a.Table == b.Table && a.Version == b.Version && a.Columns.SequenceEqual(b.Columns));

    private sealed record InFlightCopy(ChangeBatch Batch, int Taken, List<ChangeBatch>? Parts, long Started, Task<bool> Applied);

    private QueuedKind NextQueued()
    {
        lock (_lock)
        {
            return !_queue.TryPeek(out var next) ? QueuedKind.None
                : next.Copy is not null && next.Changes.Count == 0 ? QueuedKind.Copy
                : QueuedKind.Other;
        }
    }

    /// <summary>Waits until a batch is queued or the oldest copy in flight ended, whichever comes first.</summary>
    private async Task WorkOrOldestCopyAsync(CancellationToken stop)
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

        await Task.WhenAny(arrived, _copies.Peek().Applied).WaitAsync(stop);
    }

    private async Task StartCopyAsync(ISnapshotCopySink copier, ChangeBatch batch, int taken, List<ChangeBatch>? parts, CancellationToken stop)
    {
        if (_copies.Count == 0)
        {
            // Held while copies are in flight: a dead-letter replay waits for them.
            await _applyGate.WaitAsync(stop);
        }

        _copies.Enqueue(new InFlightCopy(batch, taken, parts, Stopwatch.GetTimestamp(), CopyAsync(copier, batch, stop)));
    }

    /// <summary>One copy: transient failures retried without limit; false when it failed for good.</summary>
    private async Task<bool> CopyAsync(ISnapshotCopySink copier, ChangeBatch batch, CancellationToken stop)
    {
        // Off the worker's flow, so copies overlap.
        await Task.Yield();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await copier.ApplyCopyAsync(batch, _sinkName, Epoch, stop);
                SetRetrying(0, null);
                return true;
            }
            catch (Exception e) when (e is not SinkFencedException && !stop.IsCancellationRequested && _sink.IsTransient(e))
            {
                SetRetrying(attempt, e.Message);
                LogTransient(logger, Key, attempt, e.Message);
                await Task.Delay(Backoff(attempt), stop);
            }
            catch (Exception e) when (e is not SinkFencedException && !stop.IsCancellationRequested)
            {
                LogCopyFailed(logger, Key, batch.First, batch.Through, e.Message);
                return false;
            }
        }
    }

    /// <summary>Waits for the oldest copy and accounts for it; false when the sink was fenced and stops.</summary>
    private async Task<bool> CompleteOldestCopyAsync(CancellationToken stop)
    {
        var copy = _copies.Dequeue();
        try
        {
            var spans = SinkBatchSpans.Start(_pipeline, _sinkName, copy.Parts, copy.Batch.Count);
            bool applied;
            try
            {
                applied = await copy.Applied;
                if (applied)
                {
                    spans?.Committed();
                }
            }
            catch (Exception e) when (spans is not null)
            {
                spans.Failed(e, e is SinkFencedException ? "fenced" : stop.IsCancellationRequested ? "stopped" : "failed");
                throw;
            }
            finally
            {
                spans?.Dispose();
            }

            if (!applied)
            {
                return await ApplyTakenAsync(copy.Batch.Expanded(), copy.Taken, copy.Parts, stop, gateHeld: true);
            }

            PipelineInstruments.Applied(_pipeline, _sinkName, _table, copy.Batch.Count, copy.Started);
            Account(copy.Batch, copy.Taken);
            return true;
        }
        catch (SinkFencedException e)
        {
            LogFenced(logger, Key, e.Message);
            lock (_lock)
            {
                _lastError = e.Message;
            }

            await DeactivateFromWorkerAsync();
            return false;
        }
        finally
        {
            if (_copies.Count == 0)
            {
                _applyGate.Release();
            }
        }
    }
}
