using System.Collections.Concurrent;
using Npgsql;
using Orleans.Runtime;
using SentinelSync.Configuration;
using SentinelSync.Hosting;
using SentinelSync.Replication;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Admin;

/// <summary>
/// Samples every configured pipeline once per <see cref="Interval"/> (source grain status, table and sink
/// progress, the slot's lag at the source) and keeps the latest report and the short histories that rates and
/// lag in seconds are computed from. Memory only: a restarted silo starts its rates from scratch.
/// </summary>
internal sealed partial class PipelineMonitor(
    SiloService silo,
    IGrainFactory grains,
    ILocalSiloDetails self,
    PipelineKeeper keeper,
    PipelineRegistry pipelines,
    DeadLetterStore deadLetters,
    Redactor redactor,
    WalMarks walMarks,
    TimeProvider time,
    ILogger<PipelineMonitor> logger) : BackgroundService
{
    private const string SlotLagSql = """
        SELECT (pg_current_wal_lsn() - '0/0')::numeric,
               (SELECT (confirmed_flush_lsn - '0/0')::numeric FROM pg_replication_slots WHERE slot_name = @slot)
        """;

    private static readonly TimeSpan s_rateSpan = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_markInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, RateWindow> _rates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PushHistory> _pushes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WalTimeline> _timelines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _marked = new(StringComparer.Ordinal);
    private volatile PipelinesReport? _latest;

    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The latest sample, or a fresh one if none was taken yet.</summary>
    public async Task<PipelinesReport> ReportAsync(CancellationToken cancellationToken) =>
        _latest ?? await SampleAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await silo.Started.WaitAsync(stoppingToken);
        }
        catch (Exception e) when (e is OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // No silo, nothing to sample: the host reports the start failure itself.
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    _latest = await SampleAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSampleFailed(logger, redactor.Redact(e.Message)!);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<PipelinesReport> SampleAsync(CancellationToken cancellationToken)
    {
        var reports = await Task.WhenAll(pipelines.Pipelines.Select(p => SamplePipelineAsync(p, cancellationToken)));
        long? pending = null;
        try
        {
            pending = await deadLetters.CountPendingAsync(cancellationToken);
            PipelineInstruments.DeadLettersPending(pending.Value);
        }
        catch (NpgsqlException e)
        {
            LogSampleFailed(logger, redactor.Redact(e.Message)!);
        }

        return new PipelinesReport(self.Name, time.GetUtcNow(), pending, reports);
    }

    /// <summary>
    /// A Kafka pipeline: no slot and no WAL lag; <see cref="PipelineReport.Source"/> names the brokers and
    /// <see cref="PipelineReport.Slot"/> the consumer group; <see cref="PipelineReport.Partitions"/> lists the
    /// partitions the source reads, each with its offsets, lag and silo.
    /// </summary>
    private async Task<PipelineReport> SampleKafkaPipelineAsync(string name, Replication.Kafka.Source.KafkaSourceOptions options, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        SourceStatus? status = null;
        KafkaPartitionStatus[] partitions = [];
        try
        {
            var source = grains.GetGrain<ISourceGrain>(name);
            status = await source.GetStatusAsync().WaitAsync(s_callTimeout, cancellationToken);
            partitions = await source.GetKafkaPartitionsAsync().WaitAsync(s_callTimeout, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add($"source grain: {e.GetType().Name}: {e.Message}");
        }

        if (keeper.LastError(name) is { } notStarting)
        {
            errors.Add($"not starting: {notStarting}");
        }

        return new PipelineReport(
            name,
            status?.Silo,
            status?.Phase ?? "unknown",
            redactor.Redact(status?.LastError),
            $"kafka: {options.BootstrapServers}",
            options.GroupId,
            SnapshotCompleted: true,
            null,
            null,
            null,
            null,
            0,
            0,
            [],
            errors.Count == 0 ? null : redactor.Redact(string.Join("; ", errors)),
            [.. partitions.Select(p => new KafkaPartitionReport(
                p.Topic, p.Partition, p.Silo, p.Phase, p.NextOffset, p.CommittedOffset, p.EndOffset, p.Lag, p.Tables, p.Messages, p.DeadLettered, redactor.Redact(p.LastError)))]);
    }

    private async Task<PipelineReport> SamplePipelineAsync(PipelineConfig config, CancellationToken cancellationToken)
    {
        var name = config.Name!;
        if (config.Source!.Kafka is { } kafka)
        {
            return await SampleKafkaPipelineAsync(name, kafka, cancellationToken);
        }

        var options = config.Source!.Postgres!;
        var errors = new List<string>();
        var now = time.GetUtcNow();

        (ulong? current, ulong? confirmed) = (null, null);
        try
        {
            (current, confirmed) = await SlotLagAsync(options.Connection, options.Slot, cancellationToken);
            if (confirmed is null)
            {
                // Not "no lag": without its slot the pipeline cannot stream, and what the source wrote since is not retained for it.
                errors.Add($"source: replication slot '{options.Slot}' does not exist");
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            errors.Add($"source: {ErrorText.Describe(e)}");
        }

        SourceStatus? status = null;
        TableProgress[] tables = [];
        try
        {
            var source = grains.GetGrain<ISourceGrain>(name);
            status = await source.GetStatusAsync().WaitAsync(s_callTimeout, cancellationToken);
            tables = await source.GetTableProgressAsync().WaitAsync(s_callTimeout, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add($"source grain: {e.GetType().Name}: {e.Message}");
        }

        foreach (var stopped in status?.StoppedTables ?? [])
        {
            errors.Add($"table {stopped} stopped: the source could not tell how its columns changed; run `sentinel resync {name} {stopped}`");
        }

        if (keeper.LastError(name) is { } notStarting)
        {
            errors.Add($"not starting: {notStarting}");
        }

        // What the source has certainly received: the last complete transaction, or at least the slot's confirmed position.
        var received = Math.Max(status?.ReceivedLsn ?? 0, confirmed ?? 0);
        var tableReports = tables.OrderBy(t => t.Table.ToString(), StringComparer.Ordinal).Select(t => Table(name, t, current, received, now)).ToList();
        var lagSeconds = tableReports.Select(t => t.LagSeconds).DefaultIfEmpty(0).Max();
        var runsHere = status?.Silo == self.Name;
        if (current is { } walEnd && confirmed is { } slotConfirmed)
        {
            // Applied by every sink: the source's own confirmed position is fresher than the slot's (sent every 2 s).
            var applied = Math.Max(slotConfirmed, status?.ConfirmedLsn ?? 0);
            lagSeconds = Math.Max(lagSeconds, await PipelineLagAsync(name, runsHere, now, walEnd, applied, cancellationToken));
        }

        var lagBytes = current is { } cur && confirmed is { } conf ? Math.Max(0, (long)cur - (long)conf) : (long?)null;
        if (runsHere)
        {
            PipelineInstruments.PipelineSampled(new PipelineSample(name, status!.Phase, lagSeconds, lagBytes, status.StoppedTables.Count));
        }
        else
        {
            PipelineInstruments.ForgetPipeline(name);
        }

        return new PipelineReport(
            name,
            status?.Silo,
            status?.Phase ?? "unknown",
            redactor.Redact(status?.LastError),
            ConnectionStrings.Masked(options.Connection),
            options.Slot,
            status?.SnapshotCompleted ?? false,
            current is { } c ? Lsn.Format(c) : null,
            confirmed is { } f ? Lsn.Format(f) : null,
            status is null ? null : Lsn.Format(status.ReceivedLsn),
            lagBytes,
            Math.Round(lagSeconds, 1),
            tableReports.Sum(t => t.RowsPerSecond),
            tableReports,
            errors.Count == 0 ? null : redactor.Redact(string.Join("; ", errors)));
    }

    /// <summary>
    /// The age of what the pipeline has not applied (<see cref="WalTimeline"/>). The silo its source runs on keeps
    /// the pipeline's mark (and exports the figure as <c>sentinel_pipeline_lag_seconds</c>).
    /// </summary>
    private async Task<double> PipelineLagAsync(string pipeline, bool runsHere, DateTimeOffset now, ulong walEnd, ulong applied, CancellationToken cancellationToken)
    {
        var timeline = _timelines.GetOrAdd(pipeline, _ => new WalTimeline());
        if (!timeline.MarkRead)
        {
            try
            {
                // Not compared with the slot's confirmed position: the silo that wrote the mark had applied up to it,
                // but its last slot feedback may not have reached the server before it stopped. A mark beyond the WAL
                // end is from another server (a reconfigured source) and means nothing here.
                var mark = await walMarks.ReadAsync(pipeline, cancellationToken);
                if (mark is { } known && known.WalEnd <= walEnd)
                {
                    timeline.Seed(known.At, known.WalEnd);
                }

                LogMarkRead(logger, pipeline, mark?.At, mark is { } m ? Lsn.Format(m.WalEnd) : null, Lsn.Format(walEnd));

                timeline.MarkRead = true;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // Read again next tick: until then the lag counts from this silo's first sample, a lower bound.
                LogSampleFailed(logger, redactor.Redact(e.Message)!);
            }
        }

        timeline.Observe(now, walEnd);
        var lag = timeline.LagSeconds(now, applied);
        // Every few seconds while caught up; at once when the pipeline falls behind, so the mark is the moment its lag counts from.
        if (runsHere
            && timeline.Anchor(applied) is { } anchor
            && (!_marked.TryGetValue(pipeline, out var last) || (anchor.At != last && (lag > 0 || anchor.At - last >= s_markInterval))))
        {
            try
            {
                await walMarks.WriteAsync(pipeline, anchor.At, anchor.WalEnd, cancellationToken);
                _marked[pipeline] = anchor.At;
            }
            catch (NpgsqlException e)
            {
                LogSampleFailed(logger, redactor.Redact(e.Message)!);
            }
        }

        return lag;
    }

    private TableReport Table(string pipeline, TableProgress progress, ulong? current, ulong received, DateTimeOffset now)
    {
        var key = $"{pipeline}/{progress.Table}";
        var history = _pushes.GetOrAdd(key, _ => new PushHistory());
        history.Add(now, progress.Pushed);
        var sinks = progress.Sinks.Select(s =>
        {
            var caughtUp = s.Queued == 0 && s.Applied >= progress.Pushed;
            var behind = caughtUp ? received : s.Applied.Lsn;
            return new SinkReport(
                s.Sink,
                s.Applied.ToString(),
                s.AppliedChanges,
                s.Queued,
                s.DeadLettered,
                s.Retrying,
                redactor.Redact(s.LastError),
                s.LastAppliedAt,
                current is { } c ? Math.Max(0, (long)c - (long)behind) : null,
                caughtUp ? 0 : history.LagSeconds(now, s.Applied),
                Rate($"{key}/{s.Sink}", now, s.AppliedChanges));
        }).ToList();

        return new TableReport(
            progress.Table.ToString(),
            progress.Pushed.ToString(),
            progress.PushedChanges,
            Rate(key, now, progress.PushedChanges),
            sinks.Select(s => s.LagBytes).Max(),
            sinks.Select(s => s.LagSeconds).DefaultIfEmpty(0).Max(),
            sinks);
    }

    private double Rate(string key, DateTimeOffset now, long value) =>
        Math.Round(_rates.GetOrAdd(key, _ => new RateWindow(s_rateSpan)).Add(now, value), 1);

    private static async Task<(ulong? Current, ulong? Confirmed)> SlotLagAsync(string connection, string slot, CancellationToken cancellationToken)
    {
        await using var source = new NpgsqlConnection(connection);
        await source.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SlotLagSql, source) { CommandTimeout = 5 };
        command.Parameters.AddWithValue("slot", slot);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((ulong)reader.GetDecimal(0), reader.IsDBNull(1) ? null : (ulong)reader.GetDecimal(1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: lag counted from the mark left by the previous silo ({MarkAt}, WAL end {MarkWalEnd}; now at {WalEnd}; a mark beyond it is ignored)")]
    private static partial void LogMarkRead(ILogger logger, string pipeline, DateTimeOffset? markAt, string? markWalEnd, string walEnd);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline sampling failed: {Error}")]
    private static partial void LogSampleFailed(ILogger logger, string error);
}
