using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Masking;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// Applies one table's changes to one destination. Batches are queued by <see cref="EnqueueAsync"/> and applied
/// by a worker outside grain turns (so progress can be read while a destination is slow or down); the worker
/// and grain methods share state under <c>_lock</c>, and the worker and dead-letter replay never apply at the
/// same time (<c>_applyGate</c>). Sits with its table grain.
/// <para>
/// This is the one door to a destination: every change (snapshot, stream, resync, dead-letter replay) reaches the
/// sink through the worker or <see cref="ReplayDeadLettersAsync"/>, and both pass it through this sink's
/// <see cref="TableTransform"/> first, so masked values are all the sink, its dead letters, its errors and its
/// spans ever see.
/// </para>
/// </summary>
[GrainType(GrainType)]
[PreferLocalPlacement]
public sealed partial class SinkGrain(
    PipelineRegistry pipelines,
    DeadLetterStore deadLetters,
    GrainLeases leases,
    ActivationEpochs epochs,
    ILogger<SinkGrain> logger) : FencedGrain(leases, epochs), ISinkGrain
{
    public const string GrainType = "Sink";

    /// <summary>
    /// Changes merged into one destination transaction at most, unless the kind of sink takes more
    /// (<see cref="PipelineRegistry.MaxBatchChanges"/>); also what the source queues before it pushes.
    /// </summary>
    internal const int MaxBatchChanges = 10_000;

    /// <summary>Attempts for a single change that fails permanently before it is dead-lettered.</summary>
    private const int PermanentAttempts = 3;

    private readonly Lock _lock = new();
    private readonly Queue<ChangeBatch> _queue = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private string _pipeline = "";
    private string _sinkName = "";
    private TableName _table = null!;
    private ISink _sink = null!;
    private int _maxBatchChanges = MaxBatchChanges;
    private TimeSpan _minApplyInterval;
    private long _lastStreamedTake;
    private SinkApplyGroup? _group;
    private TableTransform? _transform;
    private HashSet<string> _poisonedKeys = [];
    private Task _worker = Task.CompletedTask;
    private int _queued;
    private Position _applied;
    private readonly Dictionary<string, Position> _appliedByStream = new(StringComparer.Ordinal);
    private long _appliedChanges;
    private long _deadLettered;
    private int _retrying;
    private string? _lastError;
    private DateTimeOffset? _lastAppliedAt;
    private TaskScheduler _activation = TaskScheduler.Default;

    protected override async Task OnLeasedAsync(CancellationToken cancellationToken)
    {
        (_pipeline, _sinkName, _table) = GrainKeys.ParseSink(Key);
        _sink = pipelines.Sink(_pipeline, _sinkName);
        _maxBatchChanges = PipelineRegistry.MaxBatchChanges(pipelines.GetSink(_pipeline, _sinkName));
        _minApplyInterval = _sink.MinApplyInterval;
        _group = pipelines.ApplyGroup(_pipeline, _sinkName);
        _transform = pipelines.Transform(_pipeline, _sinkName, _table);
        _poisonedKeys = await deadLetters.PendingKeysAsync(_pipeline, _sinkName, _table, cancellationToken);
        _activation = TaskScheduler.Current;
        _worker = CallCycleFilter.RunDetached(() => WorkAsync(_stop.Token));
    }

    protected override async Task OnReleasingAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Let the queue drain while the destination takes it; what is left is re-read from the slot later.
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // A destination that keeps failing will not drain it: stop waiting at once.
            while (Queued() > 0 && !patience.IsCancellationRequested && !_worker.IsCompleted && !Retrying())
            {
                await Task.Delay(20, CancellationToken.None);
            }
        }

        await _stop.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Task<int> EnqueueAsync(ChangeBatch[] batches)
    {
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                _queue.Enqueue(batch);
                _queued += Weight(batch);
            }

            if (batches.Length > 0)
            {
                _work.Release(batches.Length);
                _arrived.TrySetResult();
            }

            return Task.FromResult(_queued);
        }
    }

    public Task<SinkProgress> GetProgressAsync()
    {
        lock (_lock)
        {
            return Task.FromResult(new SinkProgress(_sinkName, Epoch, _applied, _queued, _appliedChanges, _deadLettered, _retrying, _lastError, _lastAppliedAt)
            {
                Streams = _appliedByStream.Count == 0 ? null : new Dictionary<string, Position>(_appliedByStream, StringComparer.Ordinal),
            });
        }
    }

    public async Task<int> ReplayDeadLettersAsync(long[] ids)
    {
        if (!await _applyGate.WaitAsync(OperatorGateWait, _stop.Token))
        {
            throw new TimeoutException($"Sink {_sinkName} was still applying a batch of {_table} after {OperatorGateWait.TotalSeconds:0} s (its destination may be down or slow: see sentinel pipelines); nothing was replayed, replay again.");
        }

        try
        {
            var pending = await deadLetters.ListAsync(new DeadLetterFilter(_pipeline, _sinkName, _table.ToString(), "pending", int.MaxValue), CancellationToken.None);
            var replayed = 0;
            foreach (var letter in pending.Where(l => ids.Length == 0 || ids.Contains(l.Id)))
            {
                // Stored transformed: replayed as stored (masking twice would mask the masked value). Stored before
                // this sink had transforms: transformed now, like everything else this sink receives.
                var change = letter.Transformed || _transform is null ? letter.Change : _transform.Apply(letter.Change);
                await _sink.ReplayAsync(new ChangeBatch(_table, [change], letter.Position), _sinkName, Epoch);
                await deadLetters.ResolveAsync([letter.Id], "replayed", CancellationToken.None);
                replayed++;
            }

            return replayed;
        }
        finally
        {
            _poisonedKeys = await deadLetters.PendingKeysAsync(_pipeline, _sinkName, _table, CancellationToken.None);
            _applyGate.Release();
        }
    }

    public Task StopAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>The worker runs outside turns; Orleans takes a deactivation request only from the activation's own context.</summary>
    private Task DeactivateFromWorkerAsync() =>
        Task.Factory.StartNew(DeactivateOnIdle, CancellationToken.None, TaskCreationOptions.None, _activation);

    private int Queued()
    {
        lock (_lock)
        {
            return _queued;
        }
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        try
        {
            await WorkLoopAsync(stop);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            // Something the retry loop does not handle (the dead-letter store unreachable, for one): this
            // activation cannot go on with its queue. Deactivating drops the queue; the source sees the work
            // lost and restarts from the slot's confirmed position, so nothing is lost and nothing stalls.
            LogWorkerFailed(logger, Key, e);
            lock (_lock)
            {
                _lastError = ErrorText.Describe(e);
            }

            await DeactivateFromWorkerAsync();
        }
    }

    private async Task WorkLoopAsync(CancellationToken stop)
    {
        while (true)
        {
            // Snapshot copies in flight are accounted for in queue order: when the oldest is done, when the window
            // is full, when the next batch must wait for them, or when nothing else is to be done. Accounting a done
            // copy at once matters: until then its rows count as queued, and a copy of over MaxQueuedChanges rows
            // (narrow rows) held the source back for room that only the next batch would have made.
            if (_copies.Count > 0)
            {
                var next = NextQueued();
                if (_copies.Peek().Applied.IsCompleted || _copies.Count >= MaxCopiesInFlight || next == QueuedKind.Other)
                {
                    if (!await CompleteOldestCopyAsync(stop))
                    {
                        return;
                    }

                    continue;
                }

                if (next == QueuedKind.None)
                {
                    await WorkOrOldestCopyAsync(stop);
                    continue;
                }
            }

            await _work.WaitAsync(stop);
            await SpaceStreamedAppliesAsync(stop);
            var batch = TakeBatch(out var taken, out var parts, out var streams);
            if (batch is null)
            {
                continue;
            }

            if (batch.Copy is null)
            {
                _lastStreamedTake = Stopwatch.GetTimestamp();
            }

            if (streams is not null)
            {
                if (!await ApplyStreamsTakenAsync(streams, parts, stop))
                {
                    return;
                }

                continue;
            }

            // Masking needs the values: a table with transforms takes its copied rows parsed.
            if (_transform is not null)
            {
                batch = await TransformAsync(batch.Expanded(), stop);
            }

            if (batch.Copy is not null && batch.Changes.Count == 0 && _sink is ISnapshotCopySink copier && _poisonedKeys.Count == 0)
            {
                await StartCopyAsync(copier, batch, taken, parts, stop);
                continue;
            }

            if (!await ApplyTakenAsync(batch.Expanded(), taken, parts, stop))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Waits out the rest of the sink's <see cref="ISink.MinApplyInterval"/> since the last streamed batch was taken,
    /// when a streamed batch is next and less than a full batch is queued.
    /// </summary>
    private Task SpaceStreamedAppliesAsync(CancellationToken stop)
    {
        if (_minApplyInterval <= TimeSpan.Zero || _lastStreamedTake == 0)
        {
            return Task.CompletedTask;
        }

        var rest = _minApplyInterval - Stopwatch.GetElapsedTime(_lastStreamedTake);
        lock (_lock)
        {
            var streamedNext = _queue.TryPeek(out var next) && next.Copy is null;
            return rest > TimeSpan.Zero && streamedNext && _queued < _maxBatchChanges ? Task.Delay(rest, stop) : Task.CompletedTask;
        }
    }

    /// <summary>Applies a batch taken from the queue and accounts for it; false when the sink was fenced and stops.</summary>
    private async Task<bool> ApplyTakenAsync(ChangeBatch batch, int taken, List<ChangeBatch>? parts, CancellationToken stop, bool gateHeld = false)
    {
        if (!gateHeld)
        {
            await _applyGate.WaitAsync(stop);
        }

        var started = Stopwatch.GetTimestamp();
        var spans = SinkBatchSpans.Start(_pipeline, _sinkName, parts, batch.Count);
        try
        {
            if (!await TryApplyInGroupAsync(batch, spans, stop))
            {
                await ApplyAsync(batch, spans, stop);
            }

            spans?.Committed();
            PipelineInstruments.CommittedAtDestination(_pipeline, _sinkName, batch);
            PipelineInstruments.Applied(_pipeline, _sinkName, _table, batch.Count, started);
        }
        catch (SinkFencedException e)
        {
            spans?.Failed(e, "fenced");
            await StopFencedAsync(e);
            return false;
        }
        catch (Exception e) when (spans is not null)
        {
            spans.Failed(e, stop.IsCancellationRequested ? "stopped" : "failed");
            throw;
        }
        finally
        {
            spans?.Dispose();
            if (!gateHeld)
            {
                _applyGate.Release();
            }
        }

        Account(batch, taken);
        return true;
    }

    /// <summary>
    /// Applies a streamed batch in one destination transaction with the batches other tables of the pipeline have
    /// ready for this destination (<see cref="SinkApplyGroup"/>). Only a batch that needs none of this grain's own
    /// handling joins: none of its keys waits behind a dead letter, the last attempt did not fail, and it is neither
    /// copied snapshot rows, the end of a snapshot, nor of a stream of its own (Kafka). False when it did not join or
    /// its round failed (then nothing of it was written): it is applied alone, with retries, narrowing, dead letters
    /// and fencing. The caller holds <c>_applyGate</c> meanwhile, so a replay or erasure of this table never runs beside it.
    /// </summary>
    private async Task<bool> TryApplyInGroupAsync(ChangeBatch batch, SinkBatchSpans? spans, CancellationToken stop)
    {
        if (_group is null || batch.Stream is not null || !IsMergeable(batch) || _poisonedKeys.Count > 0 || Retrying())
        {
            return false;
        }

        if (await _group.TryApplyAsync(batch, Epoch, stop) is { } failed)
        {
            // The round was this batch's first attempt (the group logged it): traced like one, e.g. a lock waiter cut
            // off or a refused row of another table of the round; then it is applied alone.
            if (!stop.IsCancellationRequested)
            {
                spans?.Retried(1, failed, transient: _sink.IsTransient(failed));
            }

            return false;
        }

        SetRetrying(0, null);
        return true;
    }

    /// <summary>Another activation of this sink owns the destination now: stop; the queue is not ours to apply.</summary>
    private async Task StopFencedAsync(SinkFencedException e)
    {
        LogFenced(logger, Key, e.Message);
        lock (_lock)
        {
            _lastError = e.Message;
        }

        await DeactivateFromWorkerAsync();
    }

    private void Account(ChangeBatch batch, int taken)
    {
        lock (_lock)
        {
            _queued -= taken;
            if (batch.Stream is null)
            {
                _applied = batch.Through > _applied ? batch.Through : _applied;
            }
            else if (!_appliedByStream.TryGetValue(batch.Stream, out var applied) || batch.Through > applied)
            {
                _appliedByStream[batch.Stream] = batch.Through;
            }

            _appliedChanges += batch.Count;
            _lastAppliedAt = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>
    /// The batch as this sink may see it. A transform the table's shape refuses (a masked key column, a named column
    /// the table lacks) holds the table back, retried with backoff like an unreachable destination, its reason in
    /// the sink's progress: nothing is applied or dead-lettered, so nothing is lost and nothing leaks, and the slot
    /// keeps the changes until the configuration is fixed and the silo restarted.
    /// </summary>
    private async Task<ChangeBatch> TransformAsync(ChangeBatch batch, CancellationToken stop)
    {
        if (_transform is null)
        {
            return batch;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return _transform.Apply(batch);
            }
            catch (TransformRefusedException e)
            {
                SetRetrying(attempt, e.Message);
                LogTransformRefused(logger, Key, attempt, e.Message);
                await Task.Delay(Backoff(attempt), stop);
            }
        }
    }

    /// <summary>
    /// Merges queued batches (in order) into one of at most the sink's <see cref="PipelineRegistry.MaxBatchChanges"/> changes;
    /// <paramref name="parts"/> lists the merged batches when spans are being recorded (null otherwise).
    /// Batches of several streams (Kafka partitions) are taken together when the sink can apply them in one
    /// transaction (<see cref="IMultiStreamSink"/>): then <paramref name="streams"/> lists one merged batch per
    /// stream, in queue order, and the returned batch is its first.
    /// </summary>
    private ChangeBatch? TakeBatch(out int taken, out List<ChangeBatch>? parts, out List<(ChangeBatch Batch, int Taken)>? streams)
    {
        lock (_lock)
        {
            streams = null;
            var first = TakeRun(out taken, out parts, 0, counted: true);
            if (first?.Stream is null || !IsMergeable(first) || _sink is not IMultiStreamSink || _poisonedKeys.Count > 0)
            {
                return first;
            }

            var runs = new List<(ChangeBatch Batch, int Taken)> { (first, taken) };
            var total = first.Changes.Count;
            // Only streams not taken yet: the runs are applied in queue order, as they would have been one by one.
            while (_queue.TryPeek(out var next) && IsMergeable(next) && next.Stream is not null && runs.TrueForAll(r => r.Batch.Stream != next.Stream)
                && total + next.Changes.Count <= _maxBatchChanges)
            {
                var run = TakeRun(out var runTaken, out var runParts, total, counted: false)!;
                runs.Add((run, runTaken));
                total += run.Changes.Count;
                if (runParts is not null)
                {
                    parts?.AddRange(runParts);
                }
            }

            if (runs.Count > 1)
            {
                streams = runs;
                taken = runs.Sum(r => r.Taken);
            }

            return first;
        }
    }

    /// <summary>
    /// The next queued batch merged with those after it of the same stream, up to the sink's <see cref="PipelineRegistry.MaxBatchChanges"/>
    /// changes in all with <paramref name="already"/>; <paramref name="counted"/>: the caller already took the
    /// first batch's count off <c>_work</c>.
    /// </summary>
    private ChangeBatch? TakeRun(out int taken, out List<ChangeBatch>? parts, int already, bool counted)
    {
        taken = 0;
        parts = null;
        if (!_queue.TryDequeue(out var first))
        {
            return null;
        }

        if (!counted)
        {
            _work.Wait(0);
        }

        parts = SentinelTracing.Source.HasListeners() ? [first] : null;
        taken = Weight(first);
        if (!IsMergeable(first))
        {
            return MergeQueuedCopies(first, ref taken, parts);
        }

        var changes = new List<RowChange>(first.Changes);
        var through = first.Through;
        // Batches of different streams count positions differently (see ChangeBatch.Stream): never merged into one.
        while (_queue.TryPeek(out var next) && IsMergeable(next) && next.Stream == first.Stream && already + changes.Count + next.Changes.Count <= _maxBatchChanges)
        {
            _queue.Dequeue();
            _work.Wait(0);
            changes.AddRange(next.Changes);
            parts?.Add(next);
            through = next.Through;
            taken += Weight(next);
        }

        return new ChangeBatch(first.Table, changes, through) { Stream = first.Stream };
    }

    /// <summary>
    /// What a batch adds to the queue length: its changes, and at least 1, so that a batch without changes (the end
    /// of a snapshot, which builds a key) keeps the queue non-empty until applied; an empty queue with positions
    /// not applied means the work was lost.
    /// </summary>
    private static int Weight(ChangeBatch batch) => Math.Max(batch.Count, 1);

    /// <summary>Copied snapshot rows and the end of a snapshot travel alone: they are applied their own way.</summary>
    private static bool IsMergeable(ChangeBatch batch) => batch.Copy is null && !batch.EndsSnapshot;

    /// <summary>
    /// Applies a batch: changes of keys with pending dead letters join them (order per key is kept); transient
    /// failures are retried with exponential backoff and jitter without limit; a permanent failure is narrowed
    /// down by halving the batch until the failing change is alone, which goes to the dead-letter queue.
    /// </summary>
    private async Task ApplyAsync(ChangeBatch batch, SinkBatchSpans? spans, CancellationToken stop)
    {
        if (_poisonedKeys.Count > 0)
        {
            var blocked = batch.Changes.Where(c => RowKeys.Of(c).Any(_poisonedKeys.Contains)).ToList();
            foreach (var change in blocked)
            {
                await DeadLetterAsync(change, new InvalidOperationException("An earlier change of this row is in the dead-letter queue; this one waits behind it."), 0, spans, stop);
            }

            if (blocked.Count > 0)
            {
                batch = batch with { Changes = [.. batch.Changes.Except(blocked)] };
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _sink.ApplyAsync(batch, _sinkName, Epoch, stop);
                SetRetrying(0, null);
                return;
            }
            catch (Exception e) when (e is not SinkFencedException && !stop.IsCancellationRequested && _sink.IsTransient(e))
            {
                SetRetrying(attempt, e.Message);
                spans?.Retried(attempt, e, transient: true);
                LogTransient(logger, Key, attempt, e.Message);
                await Task.Delay(Backoff(attempt), stop);
            }
            catch (Exception e) when (e is not SinkFencedException && !stop.IsCancellationRequested)
            {
                if (batch.Changes.Count > 1)
                {
                    var half = batch.Changes.Count / 2;
                    await ApplyAsync(batch with { Changes = batch.Changes.Take(half).ToList(), Through = batch.Changes[half - 1].Position }, spans, stop);
                    await ApplyAsync(batch with { Changes = batch.Changes.Skip(half).ToList() }, spans, stop);
                    return;
                }

                if (batch.Changes.Count == 1 && attempt < PermanentAttempts)
                {
                    SetRetrying(attempt, e.Message);
                    spans?.Retried(attempt, e, transient: false);
                    await Task.Delay(Backoff(attempt), stop);
                    continue;
                }

                if (batch.Changes.Count == 0)
                {
                    throw;
                }

                await DeadLetterAsync(batch.Changes[0], e, attempt, spans, stop);

                // Record the position past the dead-lettered change, so that it is not retried forever.
                await ApplyAsync(batch with { Changes = [] }, spans, stop);
                return;
            }
        }
    }

    private async Task DeadLetterAsync(RowChange change, Exception error, int attempts, SinkBatchSpans? spans, CancellationToken stop)
    {
        spans?.DeadLettered(change, error);
        var keys = RowKeys.Of(change).ToList();
        await deadLetters.AddAsync(_pipeline, _sinkName, keys.FirstOrDefault() ?? "", change, error, attempts, transformed: _transform is not null, stop);
        _poisonedKeys.UnionWith(keys);
        PipelineInstruments.DeadLettered(_pipeline, _sinkName, _table);
        LogDeadLettered(logger, Key, change.Position, error.Message);
        lock (_lock)
        {
            _deadLettered++;
            _lastError = error.Message;
        }
    }

    private bool Retrying()
    {
        lock (_lock)
        {
            return _retrying > 0;
        }
    }

    private void SetRetrying(int attempt, string? error)
    {
        lock (_lock)
        {
            _retrying = attempt;
            _lastError = error ?? _lastError;
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(attempt, 16))) * (0.5 + Random.Shared.NextDouble()));
}
