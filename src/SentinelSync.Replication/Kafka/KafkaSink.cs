using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SentinelSync.Replication.Kafka.Avro;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Sends change batches to Kafka as Debezium-compatible events, one topic per source table
/// (<see cref="KafkaSinkOptions.TopicOf"/>), keyed by the primary key.
/// <para>
/// Contract of <see cref="ApplyAsync"/>: in the control database, lock the offset row of (pipeline/sink, table) in
/// <c>sentinel.kafka_offsets</c> and refuse the batch if a newer epoch owns it (<see cref="SinkFencedException"/>,
/// nothing sent); skip every change at or below the stored position; send the rest with the idempotent producer
/// and wait until the brokers acknowledged every message (with <c>transactional: true</c>, inside one Kafka
/// transaction that is committed); only then store the new position and commit. A failure before that commit
/// leaves the position where it was, so the batch is sent again: Kafka gets every change at least once, and a
/// change appears twice only when a failure struck between the brokers' acknowledgement and the position's commit
/// (or, non-transactional, after part of a batch was acknowledged). Consumers drop such repeats by
/// the <see cref="DebeziumEnvelope.PositionHeader"/> header (or source.lsn plus order), which only grows per table.
/// </para>
/// </summary>
public sealed partial class KafkaSink : ISink
{
    private static readonly OffsetRows s_offsets = new(KafkaSinkSql.SelectOffsetForUpdate, KafkaSinkSql.SelectOffset, KafkaSinkSql.InsertOffsetIfMissing, KafkaSinkSql.UpdateOffset);
    private static readonly TimeSpan s_transactionTimeout = TimeSpan.FromSeconds(60);

    private readonly KafkaSinkOptions _options;
    private readonly string _pipeline;
    private readonly NpgsqlDataSource _control;
    private readonly ILogger _logger;
    private readonly IDebeziumEventWriter _events;
    private readonly ISchemaRegistryClient? _registry;
    private readonly KafkaTopics _topics;
    private readonly SemaphoreSlim _controlTablesGate = new(1, 1);
    private readonly Lock _producerGate = new();
    private readonly ConcurrentDictionary<TableName, TransactionalProducer> _transactional = new();
    private IProducer<byte[]?, byte[]?>? _producer;
    private volatile bool _controlTablesReady;

    /// <summary>
    /// Creates a sink of <paramref name="pipeline"/>; <paramref name="options"/> are validated here.
    /// <paramref name="database"/> is the source database named in <c>source.db</c>; <paramref name="control"/> the
    /// control database (not disposed by the sink).
    /// </summary>
    public KafkaSink(KafkaSinkOptions options, string pipeline, string database, NpgsqlDataSource control, ILogger<KafkaSink>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(pipeline);
        ArgumentNullException.ThrowIfNull(control);
        options.ValidateOrThrow();
        KafkaNativeLibrary.EnsureLoaded();
        _options = options;
        _pipeline = pipeline;
        _control = control;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (options.Format == KafkaSinkOptions.DebeziumAvro)
        {
            _registry = options.SchemaRegistry!.CreateClient();
            _events = new DebeziumAvroEvents(options.TopicPrefix, database, options.DecimalHandling, _registry, time);
        }
        else
        {
            _events = new DebeziumJsonEvents(options.TopicPrefix, database, options.Schemas, options.DecimalHandling, time);
        }

        _topics = new KafkaTopics(options, _logger);
    }

    public Task<Position> ApplyAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: false, cancellationToken);

    /// <summary>Sends dead-lettered changes again, whatever the stored position, without moving it.</summary>
    public Task ReplayAsync(ChangeBatch batch, string sinkName, long epoch, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(batch, sinkName, epoch, replay: true, cancellationToken);

    /// <summary>
    /// Transient: broker and network errors, timeouts, a topic not there yet, control-database connection errors.
    /// Permanent: values the format cannot carry, messages the brokers refuse for their content (too large, invalid),
    /// fencing.
    /// </summary>
    public bool IsTransient(Exception exception) => IsTransientFailure(exception);

    /// <inheritdoc cref="IsTransient"/>
    /// <remarks>Schema registry: a refused schema (409 incompatible, 422 invalid) is permanent; an unreachable or failing registry is transient.</remarks>
    internal static bool IsTransientFailure(Exception exception) => exception switch
    {
        KafkaValueException or SinkFencedException => false,
        KafkaException kafka => kafka.Error.Code is not (ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidRecord or ErrorCode.InvalidMsg or ErrorCode.RecordListTooLarge),
        TimeoutException => true,
        SchemaRegistryException registry => registry.Status is not (System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.UnprocessableContent),
        HttpRequestException => true,
        { InnerException: { } inner } when inner is SchemaRegistryException or HttpRequestException => IsTransientFailure(inner),
        _ => PostgresErrorClassifier.IsTransient(exception),
    };

    /// <summary>The position <paramref name="sinkName"/> stored for <paramref name="table"/>, or null before its first batch.</summary>
    public async Task<SinkOffset?> ReadOffsetAsync(string sinkName, TableName table, CancellationToken cancellationToken = default)
    {
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        return await s_offsets.ReadAsync(_control, OffsetKey(sinkName), table.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Position> ApplyCoreAsync(ChangeBatch batch, string sinkName, long epoch, bool replay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        await EnsureControlTablesAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

        // The row lock is held until the messages are acknowledged: a newer activation waits, then sees this batch's position.
        var key = OffsetKey(sinkName);
        var (stored, pending) = await s_offsets.BeginBatchAsync(connection, key, batch, epoch, replay, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        if (pending.Count > 0)
        {
            // Converted before anything is sent (or a topic created): a value the format cannot carry sends nothing.
            var events = new List<(RowChange Change, IReadOnlyList<DebeziumEvent> Events)>(pending.Count);
            foreach (var change in pending)
            {
                events.Add((change, await _events.EventsAsync(change, cancellationToken).ConfigureAwait(false)));
            }

            var topic = _options.TopicOf(batch.Table);
            var partitions = await _topics.EnsureAsync(topic, cancellationToken).ConfigureAwait(false);
            var messages = Messages(topic, partitions, events);
            // The messages hold the events' bytes from here on (and let go of each once librdkafka copied it).
            events.Clear();
            if (_options.Transactional)
            {
                await SendInTransactionAsync(sinkName, batch.Table, epoch, messages, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SendAsync(Producer(), messages, cancellationToken).ConfigureAwait(false);
            }

            sent = messages.Count;
        }

        var applied = await s_offsets.EndBatchAsync(connection, key, batch, stored, epoch, replay, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogBatchSent(_logger, sinkName, batch.Table, pending.Count, batch.Changes.Count - pending.Count, sent, applied);
        return applied;
    }

    /// <summary>The offset row's sink column: pipeline-qualified, as sink names repeat across pipelines.</summary>
    private string OffsetKey(string sinkName) => $"{_pipeline}/{sinkName}";

    /// <summary>The Kafka messages of a batch's events: each with its position header, a truncate once per partition.</summary>
    private static List<OutgoingMessage> Messages(string topic, int partitions, List<(RowChange Change, IReadOnlyList<DebeziumEvent> Events)> changes)
    {
        var messages = new List<OutgoingMessage>(changes.Count + 8);
        // librdkafka picks the partition by key; one (immutable) TopicPartition serves every such message.
        var anyPartition = new TopicPartition(topic, Partition.Any);
        foreach (var (change, events) in changes)
        {
            // Copied into librdkafka at each Produce: one per change serves all of its messages.
            var headers = new Headers { { DebeziumEnvelope.PositionHeader, PositionHeader(change.Position) } };
            // By index: foreach over the interface would box the list's enumerator, once per change.
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.AllPartitions)
                {
                    // A truncate concerns every key, so every partition's consumer must see it in its place.
                    for (var p = 0; p < partitions; p++)
                    {
                        messages.Add(new(new TopicPartition(topic, p), e.KeyBytes, e.ValueBytes, headers));
                    }
                }
                else
                {
                    messages.Add(new(anyPartition, e.KeyBytes, e.ValueBytes, headers));
                }
            }
        }

        return messages;
    }

    /// <summary>The position header's value: <see cref="Position.ToString"/> in ASCII, written without the string.</summary>
    internal static byte[] PositionHeader(Position position)
    {
        Span<byte> text = stackalloc byte[64];
        if (!position.TryFormat(text, out var written, default, null))
        {
            throw new InvalidOperationException($"Position {position} does not fit its header.");
        }

        return text[..written].ToArray();
    }

    /// <summary>
    /// Produces every message and returns once the brokers acknowledged all of them; throws the first delivery error.
    /// Each message is dropped from <paramref name="messages"/> once produced: librdkafka holds its own copy, and a
    /// batch's serialized events kept alive until the acknowledgements (most of a second) outlived the young
    /// generation and made the garbage collector copy and later sweep them, a large part of the silo's CPU.
    /// </summary>
    private async Task SendAsync(IProducer<byte[]?, byte[]?> producer, List<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        var delivery = new DeliveryCounter(messages.Count);
        Action<DeliveryReport<byte[]?, byte[]?>> report = delivery.Report;
        // Keys and values apart: a message's key and value must never share an array.
        var keys = new ExactLengthArrays();
        var values = new ExactLengthArrays();
        for (var i = 0; i < messages.Count; i++)
        {
            var outgoing = messages[i];
            messages[i] = default;
            // The delivery report is read for its status only (DeliveryReportFields), never for these arrays' bytes.
            var message = new Message<byte[]?, byte[]?> { Key = keys.Of(outgoing.Key), Value = values.Of(outgoing.Value), Headers = outgoing.Headers };
            while (true)
            {
                try
                {
                    producer.Produce(outgoing.Partition, message, report);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue is full: let deliveries drain it.
                    await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        try
        {
            await delivery.Completed.WaitAsync(_options.DeliveryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Kafka did not acknowledge {delivery.Outstanding} of {messages.Count} messages within {_options.DeliveryTimeout}; the batch is sent again.");
        }

        if (delivery.FirstError is { } error)
        {
            if (error.IsFatal)
            {
                ResetProducer(producer);
            }

            throw new KafkaException(error);
        }
    }

    private async Task SendInTransactionAsync(string sinkName, TableName table, long epoch, List<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        var holder = _transactional.GetOrAdd(table, _ => new TransactionalProducer());
        await holder.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var producer = await holder.ForEpochAsync(epoch, () => TransactionalProducerFor(sinkName, table)).ConfigureAwait(false);
            try
            {
                producer.BeginTransaction();
                await SendAsync(producer, messages, cancellationToken).ConfigureAwait(false);
                await Task.Run(() => producer.CommitTransaction(s_transactionTimeout), CancellationToken.None).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch)
            {
                holder.Reset();
                // The brokers know a newer producer of this transactional id: a newer activation, whose epoch is higher.
                throw new SinkFencedException(sinkName, table, epoch, epoch + 1);
            }
            catch
            {
                holder.AbortOrReset();
                throw;
            }
        }
        finally
        {
            holder.Gate.Release();
        }
    }

    private IProducer<byte[]?, byte[]?> TransactionalProducerFor(string sinkName, TableName table)
    {
        var config = ProducerConfig();
        config.TransactionalId = $"sentinel.{_pipeline}.{sinkName}.{table.Schema}.{table.Name}";
        // librdkafka wants a message to time out no later than its transaction.
        config.TransactionTimeoutMs = (int)Math.Max(s_transactionTimeout.TotalMilliseconds, _options.DeliveryTimeout.TotalMilliseconds);
        return new ProducerBuilder<byte[]?, byte[]?>(config).Build();
    }

    private IProducer<byte[]?, byte[]?> Producer()
    {
        lock (_producerGate)
        {
            return _producer ??= new ProducerBuilder<byte[]?, byte[]?>(ProducerConfig()).Build();
        }
    }

    private void ResetProducer(IProducer<byte[]?, byte[]?> broken)
    {
        lock (_producerGate)
        {
            if (ReferenceEquals(_producer, broken))
            {
                _producer = null;
            }
        }

        broken.Dispose();
    }

    private ProducerConfig ProducerConfig()
    {
        var config = new ProducerConfig(_options.ClientConfig())
        {
            // Kafka Connect and the Java client pick partitions by murmur2: the same key lands where a JVM producer puts it.
            Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
            CompressionType = _options.Compression switch
            {
                "gzip" => CompressionType.Gzip,
                "snappy" => CompressionType.Snappy,
                "lz4" => CompressionType.Lz4,
                "zstd" => CompressionType.Zstd,
                _ => CompressionType.None,
            },
            Acks = _options.Acks switch
            {
                "leader" => Confluent.Kafka.Acks.Leader,
                "none" => Confluent.Kafka.Acks.None,
                _ => Confluent.Kafka.Acks.All,
            },
            // The idempotent producer keeps order and drops the client's own retries' duplicates; it needs acks=all.
            EnableIdempotence = _options.Acks == "all",
            LingerMs = 5,
            MessageTimeoutMs = (int)_options.DeliveryTimeout.TotalMilliseconds,
            // The delivery handler reads only the error: no headers, keys or values copied back per message.
            DeliveryReportFields = "status",
        };
        return config;
    }

    private async Task EnsureControlTablesAsync(CancellationToken cancellationToken)
    {
        if (_controlTablesReady)
        {
            return;
        }

        await _controlTablesGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_controlTablesReady)
            {
                await using var connection = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand(KafkaSinkSql.CreateControlTables, connection))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                _controlTablesReady = true;
            }
        }
        finally
        {
            _controlTablesGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_producerGate)
        {
            // Whatever is still queued was never acknowledged, so its position was never stored: it is sent again later.
            _producer?.Dispose();
            _producer = null;
        }

        foreach (var holder in _transactional.Values)
        {
            holder.Reset();
        }

        _topics.Dispose();
        _registry?.Dispose();
        _controlTablesGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A message of a batch before it is produced: where it goes, its key and value, its headers.</summary>
    private readonly record struct OutgoingMessage(TopicPartition Partition, MessageBytes? Key, MessageBytes? Value, Headers Headers);
}
