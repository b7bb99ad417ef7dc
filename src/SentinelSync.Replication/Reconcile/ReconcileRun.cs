using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Resync;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// One reconcile run of a pipeline: every requested table at every requested sink, one after the other, each
/// compared by a <see cref="TableVerifier"/> at consistent points and, with <c>repair</c>, its drifted keys
/// re-copied through the source (<see cref="ISourceGrain.RepairAsync"/>: in stream order, through the sink grains).
/// Progress and results go to the control database (<see cref="ReconcileStore"/>) about every second.
/// </summary>
internal sealed partial class ReconcileRun(
    string id,
    string pipeline,
    ReconcileRequest request,
    PipelineRegistry pipelines,
    IGrainFactory grains,
    ReconcileStore store,
    ILogger logger)
{
    /// <summary>How long a consistent point may wait for the sinks to apply up to the source's snapshot.</summary>
    internal static TimeSpan ApplyPatience { get; set; } = TimeSpan.FromMinutes(5);

    private const int RepairBatchKeys = 10_000;

    private readonly List<TableReconcileResult> _results = [];
    private long _rowsChecked;
    private long _rowsEstimated;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        string status;
        string? error = null;
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = WriteProgressAsync(progressStop.Token);
        try
        {
            await CheckAllAsync(cancellationToken);
            status = Outcome();
            error = _results.FirstOrDefault(r => r.Error is not null)?.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = "interrupted";
            error = "The silo stopped during the run; start it again.";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever ended the run is its result: the row must not stay 'running'.
            status = "failed";
            error = e is ReconcileException or ResyncRejectedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await store.UpdateAsync(id, status, Interlocked.Read(ref _rowsChecked), _rowsEstimated, Snapshot(), error, CancellationToken.None);
        ReconcileInstruments.Finished(pipeline, request.Mode.ToString().ToLowerInvariant(), status, seconds, DateTimeOffset.UtcNow);
        LogFinished(logger, pipeline, id, status, Interlocked.Read(ref _rowsChecked), _results.Sum(r => r.DriftRows), seconds);
    }

    private string Outcome() =>
        _results.Any(r => r.Status == "error") ? "failed"
        : _results.Any(r => r.Status == "drift") ? "drift"
        : _results.Any(r => r.Status == "repaired") ? "repaired"
        : _results.Any(r => r.Status == "unsettled") ? "unsettled"
        : "ok";

    private async Task CheckAllAsync(CancellationToken cancellationToken)
    {
        var config = pipelines.Get(pipeline);
        var sourceOptions = config.Source!.Postgres!;
        var sinks = request.Sink is null
            ? config.Sinks
            : [config.Sinks.FirstOrDefault(s => s.Name == request.Sink) ?? throw new ReconcileException($"Pipeline {pipeline} has no sink '{request.Sink}'; its sinks: {string.Join(", ", config.Sinks.Select(s => s.Name))}.")];
        var source = grains.GetGrain<ISourceGrain>(pipeline);
        var sourceStatus = await WaitStreamingAsync(source, cancellationToken);

        var tables = SelectTables(sourceStatus.Tables);
        var shapes = new Dictionary<TableName, (TableSchema Schema, bool Partitioned, bool Keyed)>();
        await using (var connection = new NpgsqlConnection(sourceOptions.Connection))
        {
            await connection.OpenAsync(cancellationToken);
            foreach (var table in tables)
            {
                var (schema, partitioned) = await PostgresSnapshotReader.ReadSchemaAsync(connection, table, cancellationToken);
                shapes[table] = (schema, partitioned, schema.HasKey && await PostgresChunkReader.HasUniqueKeyAsync(connection, table, cancellationToken));
            }

            var estimate = new PostgresChunkReader(sourceOptions.Connection);
            foreach (var table in tables)
            {
                _rowsEstimated += await estimate.EstimateRowsAsync(table, cancellationToken) * sinks.Count;
            }
        }

        foreach (var sink in sinks)
        {
            foreach (var table in tables)
            {
                lock (_results)
                {
                    _results.Add(new TableReconcileResult { Sink = sink.Name!, Table = table.ToString() });
                }
            }
        }

        var index = 0;
        foreach (var sink in sinks)
        {
            foreach (var table in tables)
            {
                var result = _results[index++];
                var started = Stopwatch.GetTimestamp();
                result.Status = "running";
                try
                {
                    var (schema, partitioned, keyed) = shapes[table];
                    if (!keyed && request.Mode != ReconcileMode.Count)
                    {
                        throw new ReconcileException($"Table {table} has no primary key or replica identity index: only mode count can check it.");
                    }

                    await CheckAsync(result, sourceOptions, sink, schema, partitioned, source, cancellationToken);
                }
                catch (Exception e) when (e is ReconcileException or ResyncRejectedException or PostgresException or HttpRequestException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
                {
                    result.Status = "error";
                    result.Error = $"{table} at {sink.Name}: {e.Message}";
                    LogTableFailed(logger, pipeline, table.ToString(), sink.Name!, e);
                }

                result.Seconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3);
                ReconcileInstruments.Drift(pipeline, sink.Name!, table.ToString(), result.Repair is { } repair ? repair.Remaining : result.DriftRows);
            }
        }
    }

    private List<TableName> SelectTables(IReadOnlyList<string> replicated)
    {
        var all = replicated.Select(ParseTable).ToList();
        if (request.Tables.Length == 0)
        {
            return all;
        }

        return [.. request.Tables.Select(wanted =>
            all.FirstOrDefault(t => t.ToString() == wanted || (t.Schema == "public" && t.Name == wanted))
            ?? throw new ReconcileException($"Pipeline {pipeline} does not replicate {wanted}; it replicates {string.Join(", ", all.Select(t => t.ToString()).Order(StringComparer.Ordinal))}."))
            .Distinct()];
    }

    private static TableName ParseTable(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return new TableName(text[..dot], text[(dot + 1)..]);
    }

    private async Task CheckAsync(TableReconcileResult result, PostgresSourceOptions sourceOptions, SinkConfig sink, TableSchema schema, bool partitioned, ISourceGrain source, CancellationToken cancellationToken)
    {
        var (destination, form, buckets) = DestinationSide.For(sink, schema);
        async Task<VerifyRound> BeginRoundAsync(CancellationToken token)
        {
            var snapshot = await SourceSnapshot.OpenAsync(sourceOptions.Connection, token);
            try
            {
                var lsn = await SourceSnapshot.MarkAsync(sourceOptions.Connection, $"{sourceOptions.Slot}/{id}", token);
                await WaitAppliedAsync(source, lsn, token);
                return new VerifyRound(snapshot, new PostgresTableSide(sourceOptions.Connection, schema.Table, schema.Columns, !partitioned, snapshot.Name, form), destination, buckets);
            }
            catch
            {
                await snapshot.DisposeAsync();
                throw;
            }
        }

        var verifier = new TableVerifier(result, request.Mode, BeginRoundAsync, rows => Interlocked.Add(ref _rowsChecked, rows));
        await verifier.RunAsync(cancellationToken);
        if (request.Repair && verifier.DriftKeys.Count > 0)
        {
            if (!DestinationSide.CanRepair(sink, schema, out var why))
            {
                throw new ReconcileException(why);
            }

            await RepairAsync(result, source, verifier.DriftKeys, cancellationToken);
            await using var after = await BeginRoundAsync(cancellationToken);
            var (now, then) = (await after.Source.RowsAsync(verifier.DriftKeys, cancellationToken), await after.Destination.RowsAsync(verifier.DriftKeys, cancellationToken));
            result.Repair!.Remaining = verifier.DriftKeys.Select(RowDigest.IdOf).Count(k => now.GetValueOrDefault(k)?.Hash != then.GetValueOrDefault(k)?.Hash);
            result.Status = "repaired";
        }
    }

    /// <summary>Repairs the keys in batches through the source grain, following each until its sinks applied it.</summary>
    private static async Task RepairAsync(TableReconcileResult result, ISourceGrain source, List<string[]> keys, CancellationToken cancellationToken)
    {
        var report = result.Repair = new RepairReport { State = "running" };
        foreach (var batch in keys.Chunk(RepairBatchKeys))
        {
            var status = await source.RepairAsync(result.Table, batch);
            while (status.State is "copying" or "applying")
            {
                await Task.Delay(100, cancellationToken);
                status = await source.GetRepairAsync(status.Id)
                    ?? throw new ReconcileException($"The repair of {result.Table} was lost (the pipeline restarted); reconcile again.");
            }

            report.Upserted += status.Upserted;
            report.Deleted += status.Deleted;
            if (status.State != "done")
            {
                report.State = status.State;
                report.Error = status.Error;
                throw new ReconcileException($"The repair of {result.Table} {status.State}: {status.Error}");
            }
        }

        report.State = "done";
    }

    /// <summary>Waits while the pipeline starts or copies its snapshot; fails at once when it is paused or failed.</summary>
    private static async Task<SourceStatus> WaitStreamingAsync(ISourceGrain source, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ApplyPatience;
        while (true)
        {
            var status = await source.GetStatusAsync();
            if (status.Phase == "streaming")
            {
                return status;
            }

            // A failed run restarts with backoff (and a pipeline moving to another silo restarts too): only a pause is final.
            if (status.Phase == "paused" || DateTime.UtcNow > deadline)
            {
                throw new ReconcileException($"Pipeline {status.Pipeline} is {status.Phase}{(status.LastError is null ? "" : $" ({status.LastError})")}; it can be reconciled once it streams.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Waits until the pipeline confirmed <paramref name="lsn"/>: every sink of every table applied everything committed before it.</summary>
    private static async Task WaitAppliedAsync(ISourceGrain source, ulong lsn, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ApplyPatience;
        while (true)
        {
            var status = await source.GetStatusAsync();
            if (status.ConfirmedLsn >= lsn)
            {
                return;
            }

            if (status.Phase == "paused")
            {
                throw new ReconcileException($"Pipeline {status.Pipeline} is paused; the sinks cannot catch up to compare.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ReconcileException($"Pipeline {status.Pipeline}'s sinks did not apply up to the comparison's snapshot within {ApplyPatience.TotalSeconds:0} s (phase {status.Phase}{(status.LastError is null ? "" : $", {status.LastError}")}; a sink retrying or blocked, or a long backlog); see sentinel pipelines.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private List<TableReconcileResult> Snapshot()
    {
        lock (_results)
        {
            return [.. _results];
        }
    }

    private async Task WriteProgressAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(1000, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await store.UpdateAsync(id, "running", Interlocked.Read(ref _rowsChecked), _rowsEstimated, Snapshot(), null, stop);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
            {
                // Progress is best effort; the final write says how the run ended.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconcile {RunId} of pipeline {Pipeline}: {Status}, {RowsChecked} rows checked, {DriftRows} drifted, in {Seconds:0.0} s")]
    private static partial void LogFinished(ILogger logger, string pipeline, string runId, string status, long rowsChecked, long driftRows, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of pipeline {Pipeline}: {Table} at {Sink} could not be checked")]
    private static partial void LogTableFailed(ILogger logger, string pipeline, string table, string sink, Exception error);
}
