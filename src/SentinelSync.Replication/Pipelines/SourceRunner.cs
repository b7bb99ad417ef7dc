using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Resync;
using Orleans;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// One run of a pipeline's source: setup, the snapshot (first run, or a restart of an interrupted one), then
/// streaming from the slot, pushing batches to table grains and confirming to Postgres only what every sink of
/// every table durably applied. Runs outside grain turns; the source grain starts and stops it and is the only
/// other user of its state. While streaming it can resync single tables (<see cref="TableResync"/>).
/// </summary>
internal sealed partial class SourceRunner(
    string pipeline,
    PostgresSourceOptions options,
    IGrainFactory grains,
    IPersistentState<SourceState> state,
    ILogger logger,
    int streamQueueLimit)
{
    /// <summary>
    /// A sink queue longer than this (changes) makes the source wait: memory stays bounded. The same figure bounds the
    /// pipeline's sink queues of all tables together, so a backlog spread over many tables stays as small as one
    /// table's (five busy tables held up to 500,000 changes, 680 MiB of silo, before that bound).
    /// </summary>
    internal const int MaxQueuedChanges = 100_000;

    /// <summary>
    /// The bound on sink queues while streaming: two of the pipeline's largest destination transactions
    /// (<see cref="PipelineRegistry.MaxBatchChanges"/>), at most <see cref="MaxQueuedChanges"/>. More only makes changes wait
    /// longer in memory: a backlog drain filled the queues to 100,000 changes, four seconds' worth for a Kafka sink, so
    /// the changes waiting there outlived the garbage collector's young generation and were copied on to the old one.
    /// With this bound the silo spent 14–24 % less CPU a change in a drain (docs/benchmarks/kafka-2026-12-03-gc-read-ahead.md).
    /// Snapshot copies keep the larger bound.
    /// </summary>
    internal static int StreamQueueLimit(IEnumerable<int> sinkBatchChanges) =>
        Math.Min(MaxQueuedChanges, 2 * sinkBatchChanges.DefaultIfEmpty(SinkGrain.MaxBatchChanges).Max());

    /// <summary>Tables copied at once during a snapshot (each in up to <see cref="SnapshotCopy.MaxRangesPerTable"/> ranges).</summary>
    private const int MaxTablesInParallel = 4;

    /// <summary>
    /// When the stream has nothing at hand but changes are queued, the read loop waits up to this long for more
    /// before pushing, and the oldest queued change waits at most <see cref="MaxPushDelayMs"/> in all. A source fed
    /// small transactions one by one (live OLTP load) then pushes several per grain call and destination transaction
    /// instead of each alone: measured live, 22–41 % less CPU per change in all and about half at the destination, for at
    /// most 10 ms of latency; a 50 ms bound saved more (44 %) but would spend most of the 50 ms latency target
    /// (docs/benchmarks/replication-2026-12-01-live-push-delay.md). A read that had to wait for its change, with
    /// changes queued, is followed by a pause until the queue is due (<see cref="ReadPause"/>): the walsender sends
    /// every transaction as it commits, and waking for each one (a thread hand-off and a context switch apiece) cost
    /// more than the work; reading them in one go cut the silo's live CPU per change by a fifth and the live p99 by a
    /// third (docs/benchmarks/replication-2026-12-03-live-read-pause.md).
    /// </summary>
    internal const long PushLingerMs = 5;

    /// <inheritdoc cref="PushLingerMs"/>
    internal const long MaxPushDelayMs = 10;

    /// <summary>
    /// While the source catches up (it reads transactions that had committed more than <see cref="CatchUpLag"/> before
    /// Postgres sent them: a backlog after a pause or an outage), a dry stream does not mean the source is idle, only
    /// that Postgres decodes more slowly than the silo reads. Queued changes then wait up to this long for more, and a
    /// read that found the stream dry is followed by a pause of <see cref="CatchUpReadPauseMs"/> before the next, so
    /// that a catch-up reads, pushes and commits in thousands of changes rather than in the tens that each wake-up
    /// brought, for latency that a backlog exceeds already. A drain found the stream dry 1,100-2,400 times a second,
    /// 54-77 with the pause, and drained 1.25-1.8x faster (docs/benchmarks/replication-2026-12-02-catch-up.md).
    /// </summary>
    internal const long CatchUpPushDelayMs = 100;

    /// <inheritdoc cref="CatchUpPushDelayMs"/>
    internal const int CatchUpReadPauseMs = 5;

    /// <inheritdoc cref="CatchUpPushDelayMs"/>
    internal static readonly TimeSpan CatchUpLag = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_confirmInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_statusInterval = TimeSpan.FromSeconds(2);

    private readonly PushTracker _tracker = new();
    private readonly CancellationTokenSource _stopReading = new();
    private volatile bool _stopping;
    private volatile bool _hadWindows;
    private readonly Dictionary<TableName, ITableGrain> _tableGrains = [];
    private readonly ConcurrentDictionary<TableName, TableResync> _resyncs = [];
    private readonly ConcurrentDictionary<string, TableRepair> _repairs = [];
    private readonly SemaphoreSlim _stateGate = new(1, 1);
    private readonly Dictionary<TableName, TableQueue> _unpushed = [];

    // The longest sink queue of each table as last seen (changes), for the bound over all tables. Locked on itself.
    private readonly Dictionary<TableName, int> _sinkQueues = [];

    // Pushes are serialised: the read loop flushes while the stream reads ahead, and a resync watermark met while
    // reading ahead pushes too (after what is queued, so each table keeps stream order).
    private readonly SemaphoreSlim _pushGate = new(1, 1);
    private int _unpushedChanges;
    private long _unpushedFrom;
    private long _unpushedSince;
    private HashSet<TableName> _tables = [];
    private StoppedTables? _stopped;
    private PostgresChangeStream? _stream;
    private CancellationToken _reading;

    public string Phase { get; private set; } = "starting";

    public IReadOnlyList<TableName> Tables => [.. _tables];

    /// <summary>Tables stopped until a resync, because the source could not tell how their columns changed.</summary>
    public IReadOnlyList<TableName> StoppedTables => _stopped?.Tables ?? [];

    public ulong ConfirmedLsn => _stream?.ConfirmedLsn ?? 0;

    public ulong ReceivedLsn => _stream?.CompletedLsn ?? 0;

    /// <summary>The latest resync of each table resynced during this run.</summary>
    public IReadOnlyList<ResyncStatus> Resyncs => [.. _resyncs.Values.Select(r => r.Status)];

    /// <summary>
    /// Graceful stop: push nothing more, let the sinks apply what they hold (up to <paramref name="patience"/>),
    /// confirm that to Postgres while the replication connection is still streaming, then end the run.
    /// </summary>
    public async Task StopAsync(TimeSpan patience)
    {
        _stopping = true;
        try
        {
            if (_stream is { } stream && Phase == "streaming")
            {
                await DrainAsync(CancellationToken.None, patience);
                await ConfirmAsync(stream);
                await stream.SendStatusUpdateAsync();
            }
        }
        finally
        {
            await _stopReading.CancelAsync();
        }
    }

    public async Task RunAsync(CancellationToken abort)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, _stopReading.Token);
        var reading = linked.Token;
        _reading = reading;

        Phase = "setup";
        var plan = await new PostgresSourceSetup(options).PrepareAsync(reading);
        foreach (var warning in plan.Warnings)
        {
            LogWarning(logger, pipeline, warning);
        }

        _tables = [.. plan.Tables];
        foreach (var table in plan.Tables)
        {
            _tableGrains[table] = grains.GetGrain<ITableGrain>(GrainKeys.Table(pipeline, table));
        }

        await SnapshotIfNeededAsync(plan, reading);

        Phase = "streaming";
        await using var stream = await PostgresChangeStream.OpenAsync(options.Connection, options.Slot, options.Publication, knownSchemas: state.State.Schemas, cancellationToken: reading);
        _stream = stream;
        _stopped = new StoppedTables(pipeline, logger);
        LogStreaming(logger, pipeline, options.Slot, plan.Tables.Count);
        foreach (var table in state.State.Resyncs.Where(_tables.Contains))
        {
            LogResyncRestarted(logger, pipeline, table);
            BeginResync(table);
        }

        using var confirmStop = new CancellationTokenSource();
        using var confirmFailed = CancellationTokenSource.CreateLinkedTokenSource(reading);
        var confirming = ConfirmLoopAsync(stream, confirmStop.Token);

        // A failing confirm loop (a sink lost its queued work, the source went away) ends the read at once, even
        // when no change arrives to notice it.
        _ = confirming.ContinueWith(_ => CancelQuietly(confirmFailed), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            var onMessage = SupportsResync(stream) ? OnMessageAsync : (Func<LogicalMessage, CancellationToken, ValueTask>?)null;
            await using var batches = stream.ReadAsync(onMessage: onMessage, cancellationToken: confirmFailed.Token).GetAsyncEnumerator(confirmFailed.Token);
            Task<bool>? inFlight = null;
            uint? readTransaction = null;
            var catchingUp = false;
            var lastReadDry = false;
            try
            {
                while (true)
                {
                    // Batches read in one burst go to each table grain in one call: push when the stream has nothing
                    // more at hand (after a few milliseconds' wait for more, see PushLingerMs), so a busy source makes
                    // fewer, larger calls and an idle one pushes within MaxPushDelayMs. Catching up, see CatchUpPushDelayMs.
                    if (ReadPause(lastReadDry, catchingUp, _unpushed.Count, Environment.TickCount64 - _unpushedSince) is > 0 and var pause)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(pause), reading);
                    }

                    var next = batches.MoveNextAsync();
                    lastReadDry = !next.IsCompleted;
                    if (!next.IsCompleted)
                    {
                        // Kept as a task, so that a flush or push failing meanwhile can still wait for this read (finally).
                        inFlight = next.AsTask();
                        next = new ValueTask<bool>(inFlight);
                    }

                    if (!next.IsCompleted && _unpushed.Count > 0 && PushDelay(Environment.TickCount64 - _unpushedSince, catchingUp) is > 0 and var delay)
                    {
                        // WaitAsync drops its timer when the read completes first; a Task.Delay would fire anyway, a
                        // thread-pool hand-off for every dry read of a busy stream.
                        await ((Task)inFlight!).WaitAsync(TimeSpan.FromMilliseconds(delay), reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }

                    if (!next.IsCompleted)
                    {
                        await FlushAsync(reading);
                    }

                    if (!await next)
                    {
                        break;
                    }

                    var batch = batches.Current;
                    if (batch.Changes is [.., { CommitTime: { } committed } last] && last.TransactionId != readTransaction)
                    {
                        // A transaction's batches (one per table) come together: measured once.
                        readTransaction = last.TransactionId;
                        PipelineInstruments.SourceRead(pipeline, committed);
                        catchingUp = stream.CommitAge > CatchUpLag;
                    }

                    if (_stopping)
                    {
                        // Neither push this batch nor ask for the next (which would mark its transaction received):
                        // it is streamed again after the restart. Wait for StopAsync to end the stream.
                        await Task.Delay(Timeout.Infinite, reading);
                    }

                    await PushAbandonedAsync(reading);
                    if (_tables.Contains(batch.Table) && !_stopped.Hold(batch) && !Windows.Any(w => w.Hold(batch)))
                    {
                        await QueueAsync(batch, reading);
                    }

                    if (confirming.IsCompleted)
                    {
                        await confirming;
                    }
                }
            }
            finally
            {
                // Never dispose the stream under a read still in flight (a flush or push failed, or the run was
                // cancelled, while the next batch was awaited): Npgsql's replication reader then completed its
                // iterator twice on the socket's callback, an unhandled exception that killed the silo while it
                // moved a pipeline away (SiloScalingTests, 2026-12-01). End the read first; bounded, in case it hangs.
                if (inFlight is { IsCompleted: false })
                {
                    await confirmFailed.CancelAsync();
                    await Task.WhenAny(inFlight, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
                    _ = inFlight.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }

            await FlushAsync(reading);
        }
        catch (OperationCanceledException) when (confirming.IsFaulted)
        {
            // The run ends with the confirm loop's error; the source grain restarts it from the confirmed position.
            await confirming;
        }
        catch (OperationCanceledException) when (_stopReading.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            // Graceful stop (StopAsync drained and confirmed before ending the stream).
        }
        finally
        {
            await confirmStop.CancelAsync();
            await confirming.ContinueWith(_ => { }, TaskScheduler.Default);

            // Resyncs of this run end with it (a failed run included); the next run starts them over.
            await linked.CancelAsync();
        }

        Phase = "stopped";
    }

    /// <summary>
    /// A new slot gets an exported snapshot; an existing slot whose snapshot never completed (a crash during
    /// the copy) gets a fresh one under the next attempt number, which restarts the copy safely.
    /// </summary>
    private async Task SnapshotIfNeededAsync(PostgresSourcePlan plan, CancellationToken reading)
    {
        ExportedSlotSnapshot? snapshot = null;
        if (!plan.SlotExists)
        {
            // A pipeline that has read from a slot before and finds none: someone dropped it (or the slot name
            // changed), and the changes since its last confirmed position are gone. Recreating it silently would
            // lose them; only a full copy can make the destinations equal again.
            var slotLost = state.State.ConsistentPoint != 0;
            if (slotLost && !options.CopiesSnapshot)
            {
                throw new PostgresSetupException([SlotLostProblem()]);
            }

            if (options.CopiesSnapshot)
            {
                snapshot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(options.Connection, options.Slot, reading);
                // The next attempt number makes every sink empty each table before its first copied rows.
                var attempt = slotLost ? Math.Max(2, state.State.SnapshotAttempt + 1) : 1;
                if (slotLost)
                {
                    LogSlotLost(logger, pipeline, options.Slot, new NpgsqlTypes.NpgsqlLogSequenceNumber(state.State.ConsistentPoint).ToString(), attempt);
                }

                state.State = new SourceState { ConsistentPoint = snapshot.ConsistentPoint, SnapshotAttempt = attempt, Schemas = state.State.Schemas };
            }
            else
            {
                var consistentPoint = await PostgresReplicationSlots.CreateAsync(options.Connection, options.Slot, reading);
                state.State = new SourceState { ConsistentPoint = consistentPoint, SnapshotCompleted = true };
            }

            await state.WriteStateAsync(reading);
        }
        else if (options.CopiesSnapshot && !state.State.SnapshotCompleted)
        {
            var consistentPoint = state.State.ConsistentPoint != 0 ? state.State.ConsistentPoint : await SlotConfirmedLsnAsync(reading);
            state.State.ConsistentPoint = consistentPoint;
            state.State.SnapshotAttempt++;
            LogSnapshotRestart(logger, pipeline, state.State.SnapshotAttempt);
            snapshot = await PostgresReplicationSlots.ExportSnapshotAsync(options.Connection, options.Slot, consistentPoint, reading);
            await state.WriteStateAsync(reading);
        }

        if (snapshot is null)
        {
            return;
        }

        Phase = "snapshot";
        var schemas = new List<TableSchema>();
        await using (snapshot)
        {
            var copy = new SnapshotCopy(new PostgresSnapshotReader(options.Connection), snapshot, state.State.SnapshotAttempt, PushAsync);
            await Parallel.ForEachAsync(_tables, new ParallelOptions { MaxDegreeOfParallelism = MaxTablesInParallel, CancellationToken = reading }, async (table, token) =>
            {
                if (await copy.CopyTableAsync(table, token) is { } copied)
                {
                    lock (schemas)
                    {
                        schemas.Add(copied.Schema);
                    }

                    LogTableCopied(logger, pipeline, table, copied.Rows);
                }
                else
                {
                    LogTableCopied(logger, pipeline, table, 0);
                }
            });
        }

        await DrainAsync(reading, Timeout.InfiniteTimeSpan);
        state.State.SnapshotCompleted = true;
        state.State.Schemas = schemas;
        await state.WriteStateAsync(reading);
        LogSnapshotCompleted(logger, pipeline, state.State.SnapshotAttempt);
    }

    private string SlotLostProblem() =>
        $"replication slot '{options.Slot}' no longer exists, although pipeline '{pipeline}' read from it before " +
        "(dropped, or the slot name changed): the changes since its last confirmed position were not retained. " +
        $"With `snapshot: never` nothing can restore them; set `snapshot: initial` to re-copy every table " +
        "(each destination table is emptied and copied again), or restore the slot.";

    /// <summary>
    /// Starts re-snapshotting <paramref name="tableName"/> (<c>schema.table</c>, or a bare name in <c>public</c>) while the pipeline keeps streaming, or returns the run
    /// already under way. Durable: a run interrupted by a restart starts over when the pipeline runs again.
    /// Not thread-safe: the source grain calls it within its turns.
    /// </summary>
    /// <exception cref="ResyncRejectedException">The pipeline is not streaming, or does not replicate the table.</exception>
    public async Task<ResyncStatus> StartResyncAsync(string tableName)
    {
        if (Phase != "streaming" || _stream is not { } stream)
        {
            throw new ResyncRejectedException($"Pipeline {pipeline} is {Phase}; a table can be resynced once the pipeline streams.");
        }

        // schema.table, or a bare name for the public schema.
        var table = _tables.FirstOrDefault(t => t.ToString() == tableName || (t.Schema == "public" && t.Name == tableName))
            ?? throw new ResyncRejectedException($"Pipeline {pipeline} does not replicate {tableName}; it replicates {string.Join(", ", _tables.Select(t => t.ToString()).Order(StringComparer.Ordinal))}.");

        if (!SupportsResync(stream))
        {
            throw new ResyncRejectedException($"A resync needs Postgres 14 or later at the source (logical decoding messages); pipeline {pipeline}'s source runs {stream.ServerVersion}.");
        }

        if (_resyncs.TryGetValue(table, out var running) && !running.IsFinished)
        {
            return running.Status;
        }

        if (_repairs.Values.FirstOrDefault(r => r.Table == table && !r.IsFinished) is { } repair)
        {
            throw new ResyncRejectedException($"A repair of {table} is under way ({repair.Id}); resync it once the repair ended.");
        }

        await UpdateStateAsync(s => s.Resyncs = [.. s.Resyncs.Where(t => t != table), table], _reading);
        return BeginResync(table).Status;
    }

    private static bool SupportsResync(PostgresChangeStream stream) => stream.ServerVersion.Major >= 14;

    /// <summary>The resyncs and repairs whose watermark windows the stream serves.</summary>
    /// <remarks>
    /// Read for every batch the stream hands out: until the first resync or repair of this run there are none, and
    /// the dictionaries are not asked (their <c>Values</c> takes every lock and copies, <c>IsEmpty</c> locks when empty).
    /// </remarks>
    private IEnumerable<IWatermarkWindow> Windows => _hadWindows ? _resyncs.Values.Concat<IWatermarkWindow>(_repairs.Values) : [];

    /// <summary>The repairs started during this run (the latest 100).</summary>
    public RepairStatus? GetRepair(string id) => _repairs.TryGetValue(id, out var repair) ? repair.Status : null;

    /// <summary>
    /// Starts re-copying exactly <paramref name="keys"/> (text values of the key columns, in column order) of
    /// <paramref name="tableName"/> in stream order while the pipeline streams: see <see cref="TableRepair"/>.
    /// Not thread-safe: the source grain calls it within its turns.
    /// </summary>
    /// <exception cref="ResyncRejectedException">Not streaming, not a table of the pipeline, or a resync or repair of it under way.</exception>
    public RepairStatus StartRepair(string tableName, string[][] keys)
    {
        if (Phase != "streaming" || _stream is not { } stream)
        {
            throw new ResyncRejectedException($"Pipeline {pipeline} is {Phase}; rows can be repaired once the pipeline streams.");
        }

        var table = _tables.FirstOrDefault(t => t.ToString() == tableName || (t.Schema == "public" && t.Name == tableName))
            ?? throw new ResyncRejectedException($"Pipeline {pipeline} does not replicate {tableName}.");
        if (!SupportsResync(stream))
        {
            throw new ResyncRejectedException($"A repair needs Postgres 14 or later at the source (logical decoding messages); pipeline {pipeline}'s source runs {stream.ServerVersion}.");
        }

        if (_resyncs.TryGetValue(table, out var resync) && !resync.IsFinished)
        {
            throw new ResyncRejectedException($"A resync of {table} is under way; it re-copies the whole table anyway.");
        }

        if (_repairs.Values.FirstOrDefault(r => r.Table == table && !r.IsFinished) is { } running)
        {
            throw new ResyncRejectedException($"A repair of {table} is under way ({running.Id}).");
        }

        foreach (var old in _repairs.Values.Where(r => r.IsFinished).OrderBy(r => r.Status.StartedAt).SkipLast(99))
        {
            _repairs.TryRemove(old.Id, out _);
        }

        var repair = new TableRepair(pipeline, options.Slot, table, keys);
        _repairs[repair.Id] = repair;
        _hadWindows = true;
        _ = Task.Run(() => RunRepairAsync(repair, _reading), CancellationToken.None);
        return repair.Status;
    }

    private async Task RunRepairAsync(TableRepair repair, CancellationToken reading)
    {
        try
        {
            await repair.CopyAsync(options.Connection, reading);
            await WaitAppliedAsync(repair.Table, repair.LastPushed, reading);
            repair.Finish("done");
            LogRepairDone(logger, pipeline, repair.Table, repair.Status.Upserted, repair.Status.Deleted);
        }
        catch (OperationCanceledException) when (reading.IsCancellationRequested)
        {
            repair.Finish("interrupted", "The pipeline stopped during the repair; reconcile again.");
        }
        catch (Exception e)
        {
            repair.Finish("failed", $"{e.GetType().Name}: {e.Message}");
            LogRepairFailed(logger, pipeline, repair.Table, e);
        }
    }

    private TableResync BeginResync(TableName table)
    {
        var resync = new TableResync(pipeline, options.Slot, table);
        _resyncs[table] = resync;
        _hadWindows = true;
        _ = Task.Run(() => RunResyncAsync(resync, _reading), CancellationToken.None);
        return resync;
    }

    private async Task RunResyncAsync(TableResync resync, CancellationToken reading)
    {
        LogResyncStarted(logger, pipeline, resync.Table, resync.Id);
        try
        {
            await resync.CopyAsync(options.Connection, reading);
            await WaitAppliedAsync(resync.Table, resync.LastPushed, reading);
            await UpdateStateAsync(s => s.Resyncs.Remove(resync.Table), reading);
            resync.Finish("done");
            LogResyncDone(logger, pipeline, resync.Table, resync.Status.RowsCopied);
        }
        catch (OperationCanceledException) when (reading.IsCancellationRequested)
        {
            resync.Finish("interrupted", "The pipeline stopped; the resync starts over when it runs again.");
        }
        catch (Exception e)
        {
            resync.Finish("failed", $"{e.GetType().Name}: {e.Message}");
            LogResyncFailed(logger, pipeline, resync.Table, e);
            try
            {
                await UpdateStateAsync(s => s.Resyncs.Remove(resync.Table), reading);
            }
            catch (Exception stateError) when (stateError is not OutOfMemoryException)
            {
                // The run is ending too; the resync then starts over with the next run, which is safe.
                LogResyncFailed(logger, pipeline, resync.Table, stateError);
            }
        }
    }

    /// <summary>Stream side of resyncs: their marks, in stream order, push the truncate and the chunks' rows right there.</summary>
    private async ValueTask OnMessageAsync(LogicalMessage message, CancellationToken cancellationToken)
    {
        if (message.Prefix != ResyncWatermark.Prefix
            || !ResyncWatermark.TryParse(message.Content, out var mark)
            || mark.Slot != options.Slot
            || _stopping
            || Windows.FirstOrDefault(r => r.Id == mark.ResyncId) is not { } resync)
        {
            return;
        }

        if (mark.Kind == ResyncWatermarkKind.Start && _stopped!.IsStopped(resync.Table) && resync.StartSchema is { } certain)
        {
            // The resync's truncate supersedes what the stopped table held; its shape as read now numbers the columns.
            _stream!.Decoder.Adopt(certain);
            _stopped.Release(resync.Table);
        }

        var schema = _stream!.Decoder.Schemas.FirstOrDefault(s => s.Table == resync.Table);
        foreach (var batch in resync.OnWatermark(mark, message.CommitLsn, schema))
        {
            await PushAsync(batch, cancellationToken);
        }

        resync.Release();
    }

    /// <summary>Pushes what a resync that ended inside a chunk's window still holds (it could not close the window).</summary>
    private async Task PushAbandonedAsync(CancellationToken cancellationToken)
    {
        foreach (var resync in Windows)
        {
            var held = resync.TakeAbandoned();
            foreach (var batch in held)
            {
                await PushAsync(batch, cancellationToken);
            }

            if (held.Count > 0)
            {
                resync.Release();
            }
        }
    }

    private async Task WaitAppliedAsync(TableName table, Position through, CancellationToken cancellationToken)
    {
        while ((await _tableGrains[table].GetProgressAsync()).Sinks.Any(s => s.Applied < through))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Changes and writes the durable state; the confirm loop and resyncs write it concurrently.</summary>
    private async Task UpdateStateAsync(Action<SourceState> change, CancellationToken cancellationToken)
    {
        await _stateGate.WaitAsync(cancellationToken);
        try
        {
            change(state.State);
            await state.WriteStateAsync(cancellationToken);
        }
        finally
        {
            _stateGate.Release();
        }
    }

    /// <summary>
    /// How long the read loop waits for more of the stream before pushing what has been queued for
    /// <paramref name="queuedMs"/> (see <see cref="PushLingerMs"/>); 0: push now.
    /// </summary>
    internal static long PushDelay(long queuedMs, bool catchingUp) =>
        catchingUp ? Math.Max(CatchUpPushDelayMs - queuedMs, 0) : Math.Clamp(MaxPushDelayMs - queuedMs, 0, PushLingerMs);

    /// <summary>
    /// How long the read loop pauses before its next read, in milliseconds (0: it reads at once). Only after a read
    /// that had to wait (the stream was dry): catching up, <see cref="CatchUpReadPauseMs"/>; live, with changes queued
    /// <paramref name="queuedMs"/> ago, the rest of <see cref="MaxPushDelayMs"/>, so that the transactions committed
    /// meanwhile are read in one go when the queue is due and not one wake-up each (see <see cref="PushLingerMs"/>).
    /// Nothing queued: 0, so the first change after a quiet spell is read as soon as it comes.
    /// </summary>
    internal static long ReadPause(bool lastReadDry, bool catchingUp, int queued, long queuedMs) =>
        !lastReadDry ? 0
        : catchingUp ? CatchUpReadPauseMs
        : queued > 0 ? Math.Max(MaxPushDelayMs - queuedMs, 0)
        : 0;

    /// <summary>Pushes one batch at once (after what is queued, so each table keeps stream order).</summary>
    private async Task PushAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        List<(TableName Table, int Queued)> pushed;
        await _pushGate.WaitAsync(cancellationToken);
        try
        {
            pushed = await FlushQueuedAsync(cancellationToken);
            pushed.Add((batch.Table, await PushToTableAsync(batch.Table, [batch])));
        }
        finally
        {
            _pushGate.Release();
        }

        await WaitForRoomAsync(pushed, MaxQueuedChanges, cancellationToken);
    }

    /// <summary>Queues a streamed batch for the next flush; flushes once a destination transaction's worth is queued.</summary>
    private async Task QueueAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (_unpushed.Count == 0)
        {
            _unpushedSince = Environment.TickCount64;
            // Until it is pushed and tracked, the slot must not be confirmed past this batch (ConfirmAsync).
            Volatile.Write(ref _unpushedFrom, (long)batch.First.Lsn);
        }

        if (!_unpushed.TryGetValue(batch.Table, out var queued))
        {
            // Traced batches keep one capture span per transaction: not merged.
            _unpushed[batch.Table] = queued = new TableQueue(batch.Table, merge: !SentinelTracing.Source.HasListeners());
        }

        queued.Add(batch);
        _unpushedChanges += batch.Changes.Count;
        if (_unpushedChanges >= SinkGrain.MaxBatchChanges)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Pushes the queued batches, one call per table, then lets the slot be confirmed past them.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<(TableName Table, int Queued)> pushed;
        await _pushGate.WaitAsync(cancellationToken);
        try
        {
            pushed = await FlushQueuedAsync(cancellationToken);
        }
        finally
        {
            _pushGate.Release();
        }

        await WaitForRoomAsync(pushed, streamQueueLimit, cancellationToken);
    }

    /// <summary>Under the push gate: pushes and tracks what is queued; returns each table's longest sink queue.</summary>
    private async Task<List<(TableName Table, int Queued)>> FlushQueuedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Tables are pushed at once, not one after another: each push is a chain of grain calls (table grain, then
        // its sinks, and both answers), and a flush of a busy source's tables would otherwise wait on them in turn.
        // Each table's order holds: its next push waits for this flush.
        var tables = new TableName[_unpushed.Count];
        var pushes = new Task<int>[_unpushed.Count];
        var i = 0;
        foreach (var (table, queued) in _unpushed)
        {
            tables[i] = table;
            pushes[i++] = PushToTableAsync(table, queued.Take());
        }

        await Task.WhenAll(pushes);
        var pushed = new List<(TableName Table, int Queued)>(tables.Length);
        for (i = 0; i < tables.Length; i++)
        {
            pushed.Add((tables[i], pushes[i].Result));
        }

        _unpushed.Clear();
        _unpushedChanges = 0;
        Volatile.Write(ref _unpushedFrom, 0);
        return pushed;
    }

    /// <summary>Under the push gate: one call to the table grain with the batches in order, then tracks them.</summary>
    private async Task<int> PushToTableAsync(TableName table, IReadOnlyList<ChangeBatch> batches)
    {
        var stamped = new ChangeBatch[batches.Count];
        var captures = new Activity?[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            PipelineInstruments.Received(pipeline, table, batches[i].Count);
            stamped[i] = CaptureSpan.Start(pipeline, Phase, batches[i], out captures[i]);
        }

        int queued;
        try
        {
            queued = await _tableGrains[table].PushAsync(stamped);
        }
        catch (Exception e)
        {
            foreach (var capture in captures.OfType<Activity>())
            {
                CaptureSpan.Fail(capture, e);
            }

            throw;
        }
        finally
        {
            foreach (var capture in captures)
            {
                capture?.Dispose();
            }
        }

        foreach (var batch in stamped)
        {
            _tracker.Add(batch);
        }

        return queued;
    }

    /// <summary>
    /// Backpressure, outside the push gate so that one slow table does not hold the others' pushes: while a sink
    /// of a pushed table holds more than <paramref name="limit"/> changes, or the sinks of all tables together do, read
    /// no further. Sinks drain on their own, so the wait ends as they apply.
    /// </summary>
    private async Task WaitForRoomAsync(List<(TableName Table, int Queued)> pushed, int limit, CancellationToken cancellationToken)
    {
        foreach (var (table, initially) in pushed)
        {
            var queued = initially;
            while (queued > limit)
            {
                await Task.Delay(20, cancellationToken);
                queued = await LongestSinkQueueAsync(table);
            }

            RecordSinkQueue(table, queued);
        }

        while (SinkQueuesTogether(out var waiting) > limit)
        {
            await Task.Delay(20, cancellationToken);
            foreach (var table in waiting)
            {
                RecordSinkQueue(table, await LongestSinkQueueAsync(table));
            }
        }
    }

    private async Task<int> LongestSinkQueueAsync(TableName table) =>
        (await _tableGrains[table].GetProgressAsync()).Sinks.Select(s => s.Queued).DefaultIfEmpty(0).Max();

    private void RecordSinkQueue(TableName table, int queued)
    {
        lock (_sinkQueues)
        {
            _sinkQueues[table] = queued;
        }
    }

    /// <summary>The changes queued in all tables' sinks as last seen; <paramref name="waiting"/>: the tables with any.</summary>
    private int SinkQueuesTogether(out List<TableName> waiting)
    {
        lock (_sinkQueues)
        {
            waiting = [.. _sinkQueues.Where(q => q.Value > 0).Select(q => q.Key)];
            return _sinkQueues.Values.Sum();
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended first.
        }
    }

    private async Task ConfirmLoopAsync(PostgresChangeStream stream, CancellationToken stop)
    {
        var lastStatus = DateTime.UtcNow;
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(s_confirmInterval, stop);
            await ConfirmAsync(stream);
            if (DateTime.UtcNow - lastStatus > s_statusInterval)
            {
                await stream.SendStatusUpdateAsync(stop);
                await SaveSchemasIfChangedAsync(stream, stop);
                // A missing slot has no lag: the series is left alone rather than reading 0 (the monitor reports the slot missing).
                if (await SlotLagBytesAsync(stop) is { } lagBytes)
                {
                    PipelineInstruments.Lag(pipeline, lagBytes, _tracker.OldestPendingAge.TotalSeconds);
                }
                lastStatus = DateTime.UtcNow;
            }
        }
    }


    /// <summary>
    /// Confirms to Postgres the highest commit LSN below every change some sink has not applied yet, and never
    /// beyond the last transaction received completely.
    /// </summary>
    private async Task ConfirmAsync(PostgresChangeStream stream)
    {
        var bound = stream.CompletedLsn;

        // Read after the completed LSN: a resync holding changes back set its bound before they completed.
        foreach (var resync in Windows)
        {
            if (resync.ConfirmBound is { } held)
            {
                bound = Math.Min(bound, held - 1);
            }
        }

        if (_stopped?.ConfirmBound is { } stopped)
        {
            bound = Math.Min(bound, stopped);
        }

        // Read before the tracker: a flush tracks its batches before it clears this.
        if (Volatile.Read(ref _unpushedFrom) is > 0 and var unpushed)
        {
            bound = Math.Min(bound, (ulong)unpushed - 1);
        }

        foreach (var table in _tracker.Tables)
        {
            bound = Math.Min(bound, (await SettleAsync(table)).Bound);
        }

        if (bound > 0)
        {
            stream.Confirm(bound);
        }
    }

    /// <summary>Reads a table's sink progress, forgets what all sinks applied, and returns its confirm bound.</summary>
    private async Task<(ulong Bound, bool Retrying)> SettleAsync(TableName table)
    {
        var lastPushed = _tracker.LastPending(table);
        var progress = await _tableGrains[table].GetProgressAsync();
        foreach (var sink in progress.Sinks)
        {
            if (lastPushed is { } last && sink.Queued == 0 && sink.Applied < last)
            {
                throw new SinkWorkLostException(sink.Sink, table);
            }
        }

        return (_tracker.Settle(table, progress.Sinks.Min(s => s.Applied)), progress.Sinks.Any(s => s.Retrying > 0));
    }

    /// <summary>
    /// Waits until every sink applied everything pushed, or <paramref name="patience"/> runs out, or (with a
    /// finite patience) a sink is retrying against a failing destination, which waiting would not fix: what
    /// it holds is streamed again from the slot after the restart.
    /// </summary>
    private async Task DrainAsync(CancellationToken cancellationToken, TimeSpan patience)
    {
        var deadline = patience == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + patience;
        while (!_tracker.IsEmpty && DateTime.UtcNow < deadline)
        {
            var retrying = false;
            foreach (var table in _tracker.Tables)
            {
                retrying |= (await SettleAsync(table)).Retrying;
            }

            if (retrying && patience != Timeout.InfiniteTimeSpan)
            {
                LogStopWithoutDrain(logger, pipeline);
                return;
            }

            if (!_tracker.IsEmpty)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private async Task SaveSchemasIfChangedAsync(PostgresChangeStream stream, CancellationToken cancellationToken)
    {
        var current = stream.Decoder.Schemas.ToList();
        var saved = state.State.Schemas.ToDictionary(s => s.Table, s => s.Version);
        if (current.Any(s => !saved.TryGetValue(s.Table, out var version) || version != s.Version))
        {
            await UpdateStateAsync(s => s.Schemas = [.. s.Schemas.Where(saved => current.All(c => c.Table != saved.Table)), .. current], cancellationToken);
        }
    }

    private async Task<long?> SlotLagBytesAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(options.Connection);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = @slot", connection);
        command.Parameters.AddWithValue("slot", options.Slot);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    private async Task<ulong> SlotConfirmedLsnAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(options.Connection);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = @slot", connection);
        command.Parameters.AddWithValue("slot", options.Slot);
        return (ulong)(decimal)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
