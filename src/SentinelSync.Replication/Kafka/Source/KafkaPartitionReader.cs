using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Grains;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// The read loop of one partition grain. The rule that keeps data safe: the partition's position lives in the
/// destinations (each sink stores its applied offset per table and partition in the same transaction as the data),
/// so reading resumes from the lowest of them; everything between that and what a sink already applied is read
/// again and skipped by that sink. Chunks are pushed to the sink grains in offset order (so per-key order holds);
/// a chunk counts as done when every sink of every table in it applied it, and done chunks advance the committed
/// offset. A sink activation that lost what was pushed to it (re-activated elsewhere) fails the run, which then
/// starts again from the destinations.
/// </summary>
internal sealed partial class KafkaPartitionReader(
    string pipeline,
    KafkaSourceOptions options,
    string topic,
    int partition,
    IGrainFactory grains,
    PipelineRegistry pipelines,
    DeadLetterStore deadLetters,
    IPersistentState<KafkaPartitionState> state,
    ILogger logger)
{
    /// <summary>The sink of a dead-lettered message that could not be decoded (no sink ever saw it).</summary>
    public const string SourceSink = "(source)";

    /// <summary>Messages read into one chunk at most.</summary>
    internal const int MaxChunkMessages = 5_000;

    /// <summary>Messages librdkafka keeps prefetched for this partition's consumer (<c>queued.min.messages</c>).</summary>
    internal const int PrefetchMessages = 2 * MaxChunkMessages;

    /// <summary>Payload librdkafka keeps prefetched for this partition's consumer, KiB (<c>queued.max.messages.kbytes</c>).</summary>
    internal const int PrefetchKilobytes = 4 * 1024;

    /// <summary>How long a consumer whose prefetch queue is full waits before it looks again (<c>fetch.queue.backoff.ms</c>).</summary>
    internal const int FetchQueueBackoffMilliseconds = 10;

    /// <summary>
    /// Changes queued at a sink above which reading pauses. A sink merges at most 10,000 into one transaction, and a
    /// table fed by several partitions gets a chunk from each before they look again, so this is a few transactions'
    /// worth (with 100,000, the managed heap of a silo reading a snapshot through 28 partitions reached about 500 MiB).
    /// </summary>
    internal const int MaxQueuedChanges = 20_000;

    /// <summary>Columns remembered as covered per table before starting again (schemaless messages make new ones each time).</summary>
    private const int MaxCoveredColumns = 1_024;

    /// <summary>
    /// How often the sinks are asked what they applied while reading goes on. Asking after every chunk cost each
    /// partition a grain call per table and sink every few milliseconds while draining a backlog, a large part of
    /// the silo's CPU; what is learnt only moves the consumer group's committed offset (read by lag tooling, not by
    /// the resume, which reads the destinations) and the read-ahead limit, neither of which needs it sooner.
    /// </summary>
    internal static readonly TimeSpan SettleInterval = TimeSpan.FromMilliseconds(250);

    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    private readonly string _stream = KafkaGrainKeys.Stream(topic, partition);
    private readonly TableName _deadLetterTable = new("kafka", $"{topic}/{partition}");
    private readonly IKafkaMessageDecoder _decoder = options.CreateDecoder();
    private readonly string[] _sinks = [.. pipelines.Get(pipeline).Sinks.Select(s => s.Name!)];

    /// <summary>
    /// Whether a sink of the pipeline masks or leaves out columns. The table and columns of an undecodable message are
    /// unknown, so its value cannot be masked like a change's: the dead-letter queue keeps where it is in Kafka instead.
    /// </summary>
    private readonly bool _withholdUndecodable = pipelines.Get(pipeline).Sinks.Any(s => s.Transforms.Any(t => t.Mask.Count > 0 || t.Exclude.Count > 0));
    private readonly Queue<(Position Through, HashSet<TableName> Tables)> _pending = new();
    private readonly Dictionary<TableName, TableSchema> _schemas = [];
    private readonly Dictionary<TableName, (TableSchema Schema, HashSet<ObservedColumn> Columns)> _covered = [];
    private readonly Dictionary<(string Sink, TableName Table), long> _epochs = [];
    private readonly Dictionary<TableName, Position> _pushed = [];
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private HashSet<string> _poisonedKeys = [];
    private volatile bool _stopping;
    private int _queued;
    private long _settledAt;

    /// <summary>The offset the consumer group last accepted from this reader; -1 before the first commit.</summary>
    private long _groupOffset = -1;

    /// <summary>The offset after the last message consumed (the fetcher thread's, one chunk ahead of <see cref="NextOffset"/>).</summary>
    private long _nextConsumed;

    public string Phase { get; private set; } = "starting";

    public long NextOffset { get; private set; }

    public long CommittedOffset { get; private set; }

    public long Messages { get; private set; }

    /// <summary>The partition's high watermark as of the last fetch (null before one); what lag is measured against.</summary>
    public long? EndOffset { get; private set; }

    public long DeadLettered { get; private set; }

    public IReadOnlyList<string> Tables => [.. state.State.Tables.Keys];

    public async Task RunAsync(CancellationToken abort)
    {
        KafkaNativeLibrary.EnsureLoaded();
        using var decoderResources = _decoder as IDisposable;
        _poisonedKeys = await deadLetters.PendingKeysAsync(pipeline, SourceSink, _deadLetterTable, abort);
        using var consumer = new ConsumerBuilder<byte[]?, KafkaValue?>(ConsumerConfig(options))
            .SetValueDeserializer(new KafkaValue.Deserializer((_decoder as EnvelopeDecoder)?.Schemas))
            .Build();
        var resume = await ResumeOffsetAsync(consumer, abort);
        NextOffset = CommittedOffset = _nextConsumed = resume;
        consumer.Assign(new TopicPartitionOffset(topic, partition, new Offset(resume)));
        LogResumed(logger, pipeline, topic, partition, resume);
        Phase = "streaming";
        using (var fetcher = new KafkaChunkFetcher(stop => Read(consumer, stop), $"kafka {topic}[{partition}]"))
        {
            await StreamAsync(consumer, fetcher, abort);
        }

        // Graceful stop (the fetcher is done with the consumer): what was pushed is applied by the sinks (they drain
        // on deactivation too); commit it.
        await SettleAsync(consumer, abort);
        while (_pending.Count > 0 && !abort.IsCancellationRequested)
        {
            await Task.Delay(50, abort);
            await SettleAsync(consumer, abort);
        }

        Phase = "stopped";
        consumer.Close();
    }

    /// <summary>The configuration of a partition grain's consumer.</summary>
    internal static ConsumerConfig ConsumerConfig(KafkaSourceOptions options)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // The partition is always assigned at an offset of its own (startFrom picks the first one, from the
            // watermarks). An offset the brokers no longer hold means messages deleted before they were applied:
            // librdkafka's earliest/latest would skip them without a word; error makes the partition stop and say so.
            AutoOffsetReset = AutoOffsetReset.Error,
            // How long a broker may hold a fetch that finds nothing new. A real broker answers as soon as data arrives,
            // so this only paces idle polling; librdkafka's mock cluster holds an empty fetch for the whole wait, new
            // data or not, which added up to 500 ms (the default) to every change that found its partition idle.
            FetchWaitMaxMs = 100,
            // librdkafka prefetches into each consumer's queue up to 100,000 messages or 64 MiB of (decompressed)
            // payload by default, per partition. Every partition grain has its own consumer, so a silo reading 28
            // partitions of a backlog could hold several hundred MiB there. A few chunks' worth keeps reading fed.
            QueuedMinMessages = PrefetchMessages,
            QueuedMaxMessagesKbytes = PrefetchKilobytes,
            // How long librdkafka puts off the next fetch once that queue is over either bound: 1 s by default. One fetch
            // (1 MiB of compressed batches) decompresses to more than the 4 MiB bound with Debezium JSON messages (lz4,
            // schema blocks), so a busy partition read a fetch, waited a second, read the next: 19,000 messages a second
            // against 240,000 with 10 ms (one partition of 2.2 KB messages on the mock cluster).
            FetchQueueBackoffMs = FetchQueueBackoffMilliseconds,
            // Only the offset, key and value are read: not a topic-name string, headers and timestamp per message.
            ConsumeResultFields = "none",
        };
        options.Security.ApplyTo(config);
        return config;
    }

    private async Task StreamAsync(IConsumer<byte[]?, KafkaValue?> consumer, KafkaChunkFetcher fetcher, CancellationToken abort)
    {
        while (!_stopping && !abort.IsCancellationRequested)
        {
            var chunk = await fetcher.NextAsync(abort);
            // Cached from the fetch responses: no request to the brokers.
            var end = consumer.GetWatermarkOffsets(new TopicPartition(topic, partition)).High;
            if (end != Offset.Unset)
            {
                EndOffset = end.Value;
            }

            if (chunk.Count > 0)
            {
                await PushAsync(chunk, abort);
            }

            if (Stopwatch.GetElapsedTime(_settledAt) >= SettleInterval)
            {
                await SettleAsync(consumer, abort);
            }

            while (_queued > MaxQueuedChanges && !_stopping && !abort.IsCancellationRequested)
            {
                await Task.Delay(50, abort);
                await SettleAsync(consumer, abort);
            }
        }
    }

    /// <summary>Ends the loop after the current chunk and waits until its changes are applied; the caller cancels after its patience.</summary>
    public void Stop() => _stopping = true;

    /// <summary>
    /// The lowest offset any sink of any table this partition fed still needs: per table the later of its first
    /// offset and the lowest next offset its sinks stored. With no table known yet, where reading first began.
    /// </summary>
    private async Task<long> ResumeOffsetAsync(IConsumer<byte[]?, KafkaValue?> consumer, CancellationToken cancellationToken)
    {
        if (state.State.Tables.Count == 0)
        {
            if (state.State.StartOffset is null)
            {
                var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(30));
                state.State.StartOffset = options.StartFrom == KafkaSourceOptions.StartLatest ? marks.High.Value : marks.Low.Value;
                await state.WriteStateAsync(cancellationToken);
            }

            return state.State.StartOffset.Value;
        }

        var resume = long.MaxValue;
        foreach (var (name, first) in state.State.Tables)
        {
            var table = ParseTable(name);
            var needed = long.MaxValue;
            foreach (var sink in _sinks)
            {
                var offsets = pipelines.Sink(pipeline, sink) as IStoredOffsets
                    ?? throw new InvalidOperationException($"Sink '{sink}' of pipeline '{pipeline}' cannot store Kafka offsets in its destination, so a Kafka source cannot feed it.");
                var stored = await offsets.ReadOffsetAsync(sink, table, _stream, cancellationToken);
                needed = Math.Min(needed, KafkaChanges.NextOffset(stored?.Position ?? Position.Zero));
            }

            resume = Math.Min(resume, Math.Max(first, needed));
        }

        return resume;
    }

    private Queue<ConsumeResult<byte[]?, KafkaValue?>> Read(IConsumer<byte[]?, KafkaValue?> consumer, CancellationToken abort)
    {
        var chunk = new Queue<ConsumeResult<byte[]?, KafkaValue?>>();
        var wait = TimeSpan.FromMilliseconds(100);
        while (chunk.Count < MaxChunkMessages && !abort.IsCancellationRequested)
        {
            ConsumeResult<byte[]?, KafkaValue?>? message;
            try
            {
                message = consumer.Consume(chunk.Count == 0 ? wait : TimeSpan.Zero);
            }
            catch (ConsumeException e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_AutoOffsetReset)
            {
                var gone = new KafkaOffsetGoneException(topic, partition, e.Error.Reason, Earliest(consumer), e);
                if (options.DeletedMessages != KafkaSourceOptions.DeletedSkip || gone.Earliest is not { } earliest)
                {
                    throw gone;
                }

                LogSkippedDeleted(logger, pipeline, topic, partition, earliest, e.Error.Reason);
                PipelineInstruments.KafkaMessagesSkipped(pipeline, topic, partition, Math.Max(0, earliest - _nextConsumed));
                consumer.Assign(new TopicPartitionOffset(topic, partition, earliest));
                _nextConsumed = earliest;
                continue;
            }

            if (message is null)
            {
                break;
            }

            if (!message.IsPartitionEOF)
            {
                chunk.Enqueue(message);
                _nextConsumed = message.Offset.Value + 1;
            }
        }

        return chunk;
    }

    /// <summary>The partition's earliest offset on the brokers, or null when they do not answer within 10 s.</summary>
    private long? Earliest(IConsumer<byte[]?, KafkaValue?> consumer)
    {
        try
        {
            return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).Low.Value;
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    private async Task PushAsync(Queue<ConsumeResult<byte[]?, KafkaValue?>> chunk, CancellationToken cancellationToken)
    {
        var byTable = new Dictionary<TableName, List<RowChange>>();
        var newTables = new Dictionary<string, long>(StringComparer.Ordinal);
        var count = chunk.Count;
        var last = chunk.Last().Offset.Value;
        // Taken out as decoded: a message's bytes need not outlive the chunk's grain calls (the garbage collector's cost).
        while (chunk.TryDequeue(out var record))
        {
            var offset = record.Offset.Value;
            var message = KafkaMessage.Of(topic, partition, offset, record.Message.Key, record.Message.Value);
            var change = await DecodeAsync(message, cancellationToken);
            if (change is null)
            {
                continue;
            }

            var schema = await SchemaAsync(change, cancellationToken);
            if (schema is null)
            {
                Warn($"a truncate of {change.Table}, of which nothing was seen yet, was ignored");
                continue;
            }

            if (!state.State.Tables.ContainsKey(change.Table.ToString()))
            {
                newTables.TryAdd(change.Table.ToString(), offset);
            }

            if (!byTable.TryGetValue(change.Table, out var changes))
            {
                byTable[change.Table] = changes = [];
            }

            changes.Add(KafkaChanges.ToRowChange(change, schema, offset));
        }

        if (newTables.Count > 0)
        {
            // Durable before the first push: a restart must ask these tables' sinks where they stand.
            foreach (var (table, first) in newTables)
            {
                state.State.Tables[table] = first;
            }

            await state.WriteStateAsync(cancellationToken);
        }

        var through = KafkaChanges.PositionOf(last);
        var queued = 0;
        foreach (var (table, changes) in byTable)
        {
            var batch = new ChangeBatch(table, changes, through) { Stream = _stream };
            foreach (var sink in _sinks)
            {
                var grain = grains.GetGrain<ISinkGrain>(GrainKeys.Sink(pipeline, sink, table));
                if (!_epochs.ContainsKey((sink, table)))
                {
                    _epochs[(sink, table)] = (await grain.GetProgressAsync()).Epoch;
                }

                queued = Math.Max(queued, await grain.EnqueueAsync([batch]));
            }

            _pushed[table] = through;
        }

        _queued = queued;
        _pending.Enqueue((through, [.. byTable.Keys]));
        NextOffset = last + 1;
        Messages += count;
    }

    /// <summary>The change a message carries, or null: a tombstone, a connector's own message, or an undecodable one (dead-lettered).</summary>
    private async ValueTask<DecodedChange?> DecodeAsync(KafkaMessage message, CancellationToken cancellationToken)
    {
        // The key's text only matters once a key is in the dead-letter queue: not worth a string per message before.
        if (_poisonedKeys.Count > 0 && KeyText(message.Key) is { } key && _poisonedKeys.Contains(key))
        {
            await DeadLetterAsync(message, key, new PoisonMessageException("An earlier message of this key could not be decoded and is in the dead-letter queue; this one waits behind it."), cancellationToken);
            return null;
        }

        try
        {
            var decoded = await _decoder.DecodeAsync(message, cancellationToken);
            foreach (var warning in decoded.Warnings)
            {
                Warn(warning);
            }

            return decoded.Change;
        }
        catch (PoisonMessageException e)
        {
            await DeadLetterAsync(message, KeyText(message.Key), e, cancellationToken);
            return null;
        }
    }

    private async ValueTask<TableSchema?> SchemaAsync(DecodedChange change, CancellationToken cancellationToken)
    {
        _schemas.TryGetValue(change.Table, out var known);
        if (change.Kind == ChangeKind.Truncate)
        {
            known ??= await TableGrain(change.Table).GetSchemaAsync();
        }
        else if (!Covered(change, known))
        {
            known = await TableGrain(change.Table).MergeAsync([.. change.ObservedColumns]);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (known is not null)
        {
            _schemas[change.Table] = known;
        }

        return known;
    }

    /// <summary>
    /// Whether <paramref name="known"/> holds every column <paramref name="change"/> shows. The decoder hands out one
    /// <see cref="ObservedColumn"/> instance per field schema, so the columns of a message of a shape already checked
    /// are found by reference, without <see cref="KafkaTableShape.Covers"/>' name comparisons for every message.
    /// </summary>
    private bool Covered(DecodedChange change, TableSchema? known)
    {
        if (known is null)
        {
            return false;
        }

        if (!_covered.TryGetValue(change.Table, out var covered) || !ReferenceEquals(covered.Schema, known) || covered.Columns.Count > MaxCoveredColumns)
        {
            // A new schema, or schemaless messages (a new instance per column and message): start again.
            _covered[change.Table] = covered = (known, new HashSet<ObservedColumn>(ReferenceEqualityComparer.Instance));
        }

        if (AllIn(change.After, covered.Columns) && (change.Before is null || AllIn(change.Before, covered.Columns)))
        {
            return true;
        }

        if (!KafkaTableShape.Covers(known, change.ObservedColumns))
        {
            return false;
        }

        covered.Columns.UnionWith(change.ObservedColumns);
        return true;
    }

    private static bool AllIn(IReadOnlyList<FieldValue> fields, HashSet<ObservedColumn> columns)
    {
        // By index: foreach over the interface would box the list's enumerator, once per message.
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Column is { } column && !columns.Contains(column))
            {
                return false;
            }
        }

        return true;
    }

    private IKafkaTableGrain TableGrain(TableName table) => grains.GetGrain<IKafkaTableGrain>(GrainKeys.Table(pipeline, table));

    /// <summary>
    /// An undecodable message goes to the dead-letter queue whole (topic, partition, offset, key, value), once even
    /// when read again after a restart; later messages of its key follow it there, so per-key order holds.
    /// </summary>
    private async Task DeadLetterAsync(KafkaMessage message, string? key, Exception error, CancellationToken cancellationToken)
    {
        var position = KafkaChanges.PositionOf(message.Offset);
        if (key is not null)
        {
            _poisonedKeys.Add(key);
        }

        if (await deadLetters.ExistsAsync(pipeline, SourceSink, _deadLetterTable, position, cancellationToken))
        {
            return;
        }

        var schema = new TableSchema(_deadLetterTable, 1, [
            new ColumnSchema("topic", "text", 25, false, 1),
            new ColumnSchema("partition", "integer", 23, false, 2),
            new ColumnSchema("offset", "bigint", 20, true, 3),
            new ColumnSchema("key", "text", 25, false, 4),
            new ColumnSchema("value", "text", 25, false, 5)]);
        var change = new RowChange(ChangeKind.Insert, position, schema, [
            ColumnValue.Of(topic),
            ColumnValue.Of(partition.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ColumnValue.Of(message.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            key is null ? ColumnValue.Null : ColumnValue.Of(key),
            message.Value is null ? ColumnValue.Null : ColumnValue.Of(_withholdUndecodable ? Withheld(message) : Text(message.Value))]);
        await deadLetters.AddAsync(pipeline, SourceSink, key ?? "", change, error, 1, transformed: false, cancellationToken);
        DeadLettered++;
        LogPoison(logger, pipeline, topic, partition, message.Offset, error.Message);
    }

    /// <summary>
    /// Forgets the chunks every sink of their tables applied and commits the offset after the last of them to the
    /// consumer group. Fails with <see cref="SinkWorkLostException"/> when a sink's activation changed before it
    /// applied what was pushed to it.
    /// </summary>
    private async Task SettleAsync(IConsumer<byte[]?, KafkaValue?> consumer, CancellationToken cancellationToken)
    {
        _settledAt = Stopwatch.GetTimestamp();
        if (_pending.Count == 0)
        {
            CommitToGroup(consumer);
            return;
        }

        var applied = new Dictionary<TableName, Position>();
        var queued = 0;
        foreach (var table in _pending.SelectMany(p => p.Tables).Distinct())
        {
            var least = (Position?)null;
            foreach (var sink in _sinks)
            {
                var progress = await grains.GetGrain<ISinkGrain>(GrainKeys.Sink(pipeline, sink, table)).GetProgressAsync();
                var position = progress.Streams?.GetValueOrDefault(_stream) ?? Position.Zero;
                if (progress.Epoch != _epochs[(sink, table)] && position < _pushed[table])
                {
                    throw new SinkWorkLostException(sink, table);
                }

                queued = Math.Max(queued, progress.Queued);
                least = least is null || position < least ? position : least;
            }

            applied[table] = least ?? Position.Zero;
        }

        _queued = queued;
        var committed = (Position?)null;
        while (_pending.TryPeek(out var chunk) && chunk.Tables.All(t => applied[t] >= chunk.Through))
        {
            _pending.Dequeue();
            committed = chunk.Through;
        }

        if (committed is { } through)
        {
            CommittedOffset = KafkaChanges.NextOffset(through);
        }

        CommitToGroup(consumer);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Mirrors the applied offset into the consumer group, for lag tooling. Retried on every settle until the group
    /// has it: a commit that failed, or a partition resumed with nothing new to read, would otherwise leave the
    /// group's offset behind for good.
    /// </summary>
    private void CommitToGroup(IConsumer<byte[]?, KafkaValue?> consumer)
    {
        if (CommittedOffset == _groupOffset)
        {
            return;
        }

        try
        {
            consumer.Commit([new TopicPartitionOffset(topic, partition, new Offset(CommittedOffset))]);
            _groupOffset = CommittedOffset;
        }
        catch (KafkaException e)
        {
            // Only lag tooling reads the group's offset; reading resumes from the destinations.
            LogCommitFailed(logger, pipeline, topic, partition, e.Message);
        }
    }

    private void Warn(string warning)
    {
        if (_warned.Add(warning))
        {
            LogWarning(logger, pipeline, topic, partition, warning);
        }
    }

    private string Withheld(KafkaMessage message) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"(withheld: a sink of pipeline '{pipeline}' masks or leaves out columns; {message.Value!.Length} bytes at {topic} partition {partition} offset {message.Offset})");

    private static string? KeyText(byte[]? key) => key is null ? null : Text(key);

    /// <summary>UTF-8 text when the bytes are valid UTF-8 (JSON keys and values are), base64 otherwise.</summary>
    private static string Text(byte[] bytes)
    {
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return "base64:" + Convert.ToBase64String(bytes);
        }
    }

    private static TableName ParseTable(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return new TableName(text[..dot], text[(dot + 1)..]);
    }
}
