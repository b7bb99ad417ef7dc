using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SentinelSync.Replication.Diagnostics;

/// <summary>The pipelines' instruments (meter <c>SentinelSync.Replication</c>), exported by the silo's /metrics.</summary>
public static class PipelineInstruments
{
    public const string MeterName = "SentinelSync.Replication";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_received = s_meter.CreateCounter<long>("sentinel.pipeline.changes.received", "{change}", "Changes read from the source, per table");
    private static readonly Counter<long> s_applied = s_meter.CreateCounter<long>("sentinel.sink.changes.applied", "{change}", "Changes a sink applied (or skipped as already applied), per table");
    private static readonly Counter<long> s_deadLettered = s_meter.CreateCounter<long>("sentinel.sink.changes.dead_lettered", "{change}", "Changes a sink sent to the dead-letter queue");
    private static readonly Counter<long> s_fallbackValues = s_meter.CreateCounter<long>("sentinel.sink.values.fallback", "{value}", "Values a sink could not hold in the column's own type and kept losslessly in its fallback (ClickHouse: the Postgres text in col__text)");
    private static readonly Histogram<long> s_batchSize = s_meter.CreateHistogram<long>("sentinel.sink.batch.size", "{change}", "Changes per destination transaction",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 100, 1_000, 5_000, 10_000] });
    private static readonly Histogram<double> s_applyDuration = s_meter.CreateHistogram<double>("sentinel.sink.apply.duration", "s", "Time to apply one batch, retries included");

    // Delays run from milliseconds (live) to minutes (a backlog, a paused pipeline): wider than the default seconds buckets.
    private static readonly InstrumentAdvice<double> s_delayBuckets = new() { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] };
    private static readonly Histogram<double> s_receiveDelay = s_meter.CreateHistogram<double>(
        "sentinel.source.receive.delay",
        "s",
        "Per source transaction: from its commit at the source until SentinelSync read it (the source's WAL flush, decoding and sending, the network, and how far behind the pipeline reads)",
        advice: s_delayBuckets);
    private static readonly Histogram<double> s_commitDelay = s_meter.CreateHistogram<double>(
        "sentinel.sink.commit.delay",
        "s",
        "Per source transaction, table and sink: from its commit at the source until the sink's destination committed the table's changes of it (end to end)",
        advice: s_delayBuckets);
    private static readonly Counter<long> s_startFailures = s_meter.CreateCounter<long>("sentinel.pipeline.start_failures", "{attempt}", "Attempts to start a pipeline's source grain that failed (activation or call)");
    private static readonly Counter<long> s_kafkaFailures = s_meter.CreateCounter<long>("sentinel.kafka.partition.failures", "{failure}", "Times a Kafka source partition's reader failed; it reads again from the destinations' offsets after a backoff");
    private static readonly Counter<long> s_kafkaSkipped = s_meter.CreateCounter<long>("sentinel.kafka.messages.skipped", "{message}", "Messages the brokers deleted before they were applied, skipped under deletedMessages: skip: their rows are missing at the destinations");
    private static readonly ConcurrentDictionary<(string Pipeline, string Topic, int Partition), Func<long?>> s_kafkaLag = new();
    private static readonly ConcurrentDictionary<string, (long Bytes, double Seconds)> s_lag = new();
    private static readonly ConcurrentDictionary<(string Sink, string Table), byte> s_blocked = new();
    private static readonly ConcurrentDictionary<string, PipelineSample> s_pipelines = new();
    private static long s_deadLettersPending = -1;

    static PipelineInstruments()
    {
        s_meter.CreateObservableGauge("sentinel.source.slot_lag", () => s_lag.Select(l => new Measurement<long>(l.Value.Bytes, new KeyValuePair<string, object?>("pipeline", l.Key))), "By", "WAL the slot retains: the server's WAL position minus the slot's confirmed position");
        s_meter.CreateObservableGauge("sentinel.source.lag", () => s_lag.Select(l => new Measurement<double>(l.Value.Seconds, new KeyValuePair<string, object?>("pipeline", l.Key))), "s", "Age of the oldest change read from the source and not yet applied by every sink");
        s_meter.CreateObservableGauge(
            "sentinel.pipeline.lag",
            () => s_pipelines.Values.Select(p => new Measurement<double>(p.LagSeconds, Pipeline(p))),
            "s",
            "Age of what the pipeline has not applied: seconds since the source's WAL last ended at or below the position every sink applied (grows while the slot is behind, received or not)");
        s_meter.CreateObservableGauge(
            "sentinel.pipeline.slot.retained",
            () => s_pipelines.Values.Where(p => p.RetainedBytes is not null).Select(p => new Measurement<long>(p.RetainedBytes!.Value, Pipeline(p))),
            "By",
            "WAL the pipeline's slot retains (the server's WAL position minus the slot's confirmed position), whatever the pipeline's phase");
        s_meter.CreateObservableGauge(
            "sentinel.pipeline.phase",
            () => s_pipelines.Values.Select(p => new Measurement<int>(1, Pipeline(p), new KeyValuePair<string, object?>("phase", p.Phase))),
            "{pipeline}",
            "1 for the pipeline's current phase (setup, snapshot, streaming, paused, failed, stopped, starting)");
        s_meter.CreateObservableGauge(
            "sentinel.pipeline.tables_stopped",
            () => s_pipelines.Values.Select(p => new Measurement<int>(p.StoppedTables, Pipeline(p))),
            "{table}",
            "Tables of the pipeline stopped until a resync (the source could not tell how their columns changed)");
        s_meter.CreateObservableGauge(
            "sentinel.dead_letters.pending",
            () => Interlocked.Read(ref s_deadLettersPending) is >= 0 and var pending ? [new Measurement<long>(pending)] : Array.Empty<Measurement<long>>(),
            "{change}",
            "Dead letters waiting for a replay or a discard, in the whole cluster (every silo reports the same count)");
        s_meter.CreateObservableGauge(
            "sentinel.sink.tables_blocked",
            () => s_blocked.Keys.Select(k => new Measurement<int>(1, new KeyValuePair<string, object?>("sink", k.Sink), new KeyValuePair<string, object?>("table", k.Table))),
            "{table}",
            "Tables a sink cannot apply until an operator fixes the destination (a type it cannot create): 1 per blocked table");
        s_meter.CreateObservableGauge(
            "sentinel.kafka.partition.lag",
            () => s_kafkaLag.Select(p => (p.Key, Lag: p.Value())).Where(p => p.Lag is not null).Select(p => new Measurement<long>(p.Lag!.Value, KafkaPartition(p.Key.Pipeline, p.Key.Topic, p.Key.Partition))),
            "{message}",
            "Messages of a Kafka source partition on the brokers that not every sink applied yet (the high watermark of the last fetch minus the offset every sink applied), for the partitions read on this silo");
    }

    public static void Received(string pipeline, TableName table, int changes) =>
        s_received.Add(changes, new("pipeline", pipeline), new("table", table.ToString()));

    public static void Applied(string pipeline, string sink, TableName table, int changes, long startedTimestamp)
    {
        s_applied.Add(changes, new("pipeline", pipeline), new("sink", sink), new("table", table.ToString()));
        s_batchSize.Record(changes, new KeyValuePair<string, object?>("sink", sink));
        s_applyDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("sink", sink));
    }

    /// <summary>The source read a transaction committed at <paramref name="committed"/> (the source server's clock).</summary>
    public static void SourceRead(string pipeline, DateTimeOffset committed) =>
        s_receiveDelay.Record(SecondsSince(committed), new KeyValuePair<string, object?>("pipeline", pipeline));

    /// <summary>
    /// A sink's destination committed <paramref name="batch"/> (one table's changes): one measurement per source
    /// transaction in it (its changes are in stream order, a transaction's together); snapshot rows and changes without
    /// a commit time (Kafka sources) have none.
    /// </summary>
    public static void CommittedAtDestination(string pipeline, string sink, ChangeBatch batch)
    {
        (uint Id, DateTimeOffset Committed)? transaction = null;
        foreach (var change in batch.Changes)
        {
            if (change.CommitTime is { } committed && transaction != (change.TransactionId, committed))
            {
                transaction = (change.TransactionId, committed);
                s_commitDelay.Record(SecondsSince(committed), new("pipeline", pipeline), new("sink", sink));
            }
        }
    }

    // Two clocks (the source server's and this silo's): a small skew may put a commit in the future; counted as 0.
    private static double SecondsSince(DateTimeOffset moment) => Math.Max(0, (DateTimeOffset.UtcNow - moment).TotalSeconds);

    public static void StartFailed(string pipeline) =>
        s_startFailures.Add(1, new KeyValuePair<string, object?>("pipeline", pipeline));

    public static void DeadLettered(string pipeline, string sink, TableName table) =>
        s_deadLettered.Add(1, new("pipeline", pipeline), new("sink", sink), new("table", table.ToString()));

    /// <summary>Whether <paramref name="sink"/> found <paramref name="table"/> blocked at its last attempt.</summary>
    public static void Blocked(string sink, TableName table, bool blocked)
    {
        if (blocked)
        {
            s_blocked[(sink, table.ToString())] = 0;
        }
        else if (!s_blocked.IsEmpty)
        {
            s_blocked.TryRemove((sink, table.ToString()), out _);
        }
    }

    public static void FallbackValues(string sink, TableName table, string column, int values) =>
        s_fallbackValues.Add(values, new("sink", sink), new("table", table.ToString()), new("column", column));

    public static void Lag(string pipeline, long bytes, double seconds) => s_lag[pipeline] = (bytes, seconds);

    public static void Forget(string pipeline) => s_lag.TryRemove(pipeline, out _);

    /// <summary>What the admin monitor sampled of a pipeline whose source runs on this silo.</summary>
    public static void PipelineSampled(PipelineSample sample) => s_pipelines[sample.Pipeline] = sample;

    /// <summary>The pipeline's source runs elsewhere (or could not be reached): another silo reports it.</summary>
    public static void ForgetPipeline(string pipeline) => s_pipelines.TryRemove(pipeline, out _);

    /// <summary>A Kafka source partition's reader failed (it retries with backoff).</summary>
    public static void KafkaPartitionFailed(string pipeline, string topic, int partition) =>
        s_kafkaFailures.Add(1, KafkaPartition(pipeline, topic, partition));

    /// <summary>A Kafka source partition skipped <paramref name="messages"/> messages the brokers deleted before they were applied.</summary>
    public static void KafkaMessagesSkipped(string pipeline, string topic, int partition, long messages) =>
        s_kafkaSkipped.Add(messages, KafkaPartition(pipeline, topic, partition));

    /// <summary>A Kafka source partition is read on this silo: <paramref name="lag"/> gives its lag in messages (null while unknown).</summary>
    public static void KafkaPartitionRead(string pipeline, string topic, int partition, Func<long?> lag) => s_kafkaLag[(pipeline, topic, partition)] = lag;

    /// <summary>The partition is no longer read on this silo: another silo reports it.</summary>
    public static void ForgetKafkaPartition(string pipeline, string topic, int partition) => s_kafkaLag.TryRemove((pipeline, topic, partition), out _);

    public static void DeadLettersPending(long pending) => Interlocked.Exchange(ref s_deadLettersPending, pending);

    private static KeyValuePair<string, object?> Pipeline(PipelineSample sample) => new("pipeline", sample.Pipeline);

    private static TagList KafkaPartition(string pipeline, string topic, int partition) => new()
    {
        { "pipeline", pipeline },
        { "topic", topic },
        { "partition", partition },
    };
}
