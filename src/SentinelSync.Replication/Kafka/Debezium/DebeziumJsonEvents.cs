using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace SentinelSync.Replication.Kafka.Debezium;

/// <summary>
/// Turns row changes into Debezium Postgres-connector events as Kafka Connect's JsonConverter writes them: the key
/// (the primary key columns as a struct; null for a keyless table) and the value envelope, with or without the
/// <c>schema</c> block. One instance per sink; thread-safe.
/// </summary>
/// <param name="topicPrefix">Debezium's <c>topic.prefix</c>: the envelope's <c>source.name</c> and the schemas' namespace.</param>
/// <param name="database">The source database, <c>source.db</c>.</param>
/// <param name="withSchemas">Write <c>{"schema":…,"payload":…}</c> rather than the bare payload.</param>
/// <param name="decimalHandling">precise, string or double (<see cref="DebeziumTypeMapping"/>).</param>
public sealed class DebeziumJsonEvents(string topicPrefix, string database, bool withSchemas, string decimalHandling, TimeProvider? time = null) : IDebeziumEventWriter
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(TableName Table, int Version), TableShape> _shapes = new();

    /// <summary>
    /// Each thread's buffer and writer, reused for every message: a payload is written into a buffer already large
    /// enough and copied out once, rather than grown from scratch.
    /// </summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_scratch;

    /// <summary>What ends a message with a schema block: <c>}</c> after the payload.</summary>
    private static readonly byte[] s_close = "}"u8.ToArray();

    /// <summary>The events of one change, in order (see <see cref="DebeziumEventPlan"/>).</summary>
    public IEnumerable<DebeziumEvent> Of(RowChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var shape = Shape(change.Schema);
        foreach (var step in DebeziumEventPlan.Of(change, shape.KeyIndexes))
        {
            var key = step.KeyRow is { } row ? Key(shape, row) : null;
            yield return new(key, step.Op is { } op ? Value(shape, change, op, step.Before, step.After) : null, step.AllPartitions);
        }
    }

    public Task<IReadOnlyList<DebeziumEvent>> EventsAsync(RowChange change, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DebeziumEvent>>([.. Of(change)]);

    private MessageBytes? Key(TableShape shape, ColumnValue[] row)
    {
        if (shape.KeyIndexes.Length == 0 || row.Length == 0)
        {
            return null;
        }

        var (buffer, writer) = Scratch();
        writer.WriteStartObject();
        foreach (var i in shape.KeyIndexes)
        {
            writer.WritePropertyName(shape.Columns[i].Name);
            DebeziumValues.Write(writer, shape.Types[i], row[i]);
        }

        writer.WriteEndObject();
        return Framed(shape.KeyHead, buffer, writer);
    }

    private MessageBytes Value(TableShape shape, RowChange change, string op, ColumnValue[]? before, ColumnValue[]? after)
    {
        var (buffer, writer) = Scratch();
        writer.WriteStartObject();
        WriteRow(writer, DebeziumEnvelope.Before, change.Schema.Table, shape, before);
        WriteRow(writer, DebeziumEnvelope.After, change.Schema.Table, shape, after);
        WriteSource(writer, change);
        writer.WriteString(DebeziumEnvelope.Op, op);
        writer.WriteNumber(DebeziumEnvelope.TsMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        writer.WriteNull("transaction");
        writer.WriteEndObject();
        return Framed(shape.ValueHead, buffer, writer);
    }

    /// <summary>The payload just written, framed by its schema block when the messages carry one.</summary>
    private MessageBytes Framed(byte[] head, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        writer.Flush();
        var payload = buffer.WrittenSpan.ToArray();
        return withSchemas ? new MessageBytes(head, payload, s_close) : new MessageBytes(payload);
    }

    /// <summary>This thread's buffer and writer, emptied.</summary>
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Scratch()
    {
        if (t_scratch is not { } scratch)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            t_scratch = scratch = (buffer, new Utf8JsonWriter(buffer));
        }

        scratch.Buffer.ResetWrittenCount();
        scratch.Writer.Reset(scratch.Buffer);
        return scratch;
    }

    private static void WriteRow(Utf8JsonWriter writer, string name, TableName table, TableShape shape, ColumnValue[]? row)
    {
        if (row is null || row.Length == 0)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartObject(name);
        for (var i = 0; i < shape.Columns.Count && i < row.Length; i++)
        {
            if (row[i].IsUnchanged && !shape.Types[i].TakesPlaceholder)
            {
                throw DebeziumValues.UnavailableRefused(table, shape.Columns[i]);
            }

            writer.WritePropertyName(shape.Columns[i].Name);
            DebeziumValues.Write(writer, shape.Types[i], row[i]);
        }

        writer.WriteEndObject();
    }

    private void WriteSource(Utf8JsonWriter writer, RowChange change)
    {
        var snapshot = DebeziumEventPlan.IsSnapshot(change);
        writer.WriteStartObject(DebeziumEnvelope.Source);
        writer.WriteString("version", DebeziumEnvelope.Version);
        writer.WriteString("connector", DebeziumEnvelope.Connector);
        writer.WriteString("name", topicPrefix);
        writer.WriteNumber("ts_ms", (change.CommitTime ?? _time.GetUtcNow()).ToUnixTimeMilliseconds());
        writer.WriteString("snapshot", snapshot ? "true" : "false");
        writer.WriteString("db", database);
        // Debezium's sequence holds WAL record LSNs pgoutput does not give; the position travels in a header instead.
        writer.WriteNull("sequence");
        writer.WriteString("schema", change.Schema.Table.Schema);
        writer.WriteString("table", change.Schema.Table.Name);
        if (change.TransactionId != 0)
        {
            writer.WriteNumber("txId", change.TransactionId);
        }
        else
        {
            writer.WriteNull("txId");
        }

        writer.WriteNumber("lsn", change.Position.Lsn);
        writer.WriteNull("xmin");
        writer.WriteEndObject();
    }

    /// <summary>The schema version's shape. The factory takes its inputs as an argument: a lambda capturing them was allocated on every call.</summary>
    private TableShape Shape(TableSchema schema) =>
        _shapes.GetOrAdd((schema.Table, schema.Version), static (_, made) => new TableShape(made.Schema, made.TopicPrefix, made.DecimalHandling), (Schema: schema, TopicPrefix: topicPrefix, DecimalHandling: decimalHandling));

    /// <summary>A schema version's column types and its key and envelope schema blocks, serialized once.</summary>
    private sealed class TableShape
    {
        public TableShape(TableSchema schema, string topicPrefix, string decimalHandling)
        {
            Columns = schema.Columns;
            Types = [.. schema.Columns.Select(c => DebeziumTypeMapping.Of(c, decimalHandling))];
            KeyIndexes = [.. schema.KeyIndexes];
            var name = $"{topicPrefix}.{schema.Table.Schema}.{schema.Table.Name}";
            KeyHead = Head(DebeziumConnectSchemas.Key(name, schema, Types));
            ValueHead = Head(DebeziumConnectSchemas.Envelope(name, schema, Types));
        }

        public IReadOnlyList<ColumnSchema> Columns { get; }

        public DebeziumColumnType[] Types { get; }

        public int[] KeyIndexes { get; }

        /// <summary><c>{"schema":</c>, the key's schema block and <c>,"payload":</c>: what precedes every key's payload.</summary>
        public byte[] KeyHead { get; }

        /// <summary>The same for the value's envelope schema.</summary>
        public byte[] ValueHead { get; }

        private static byte[] Head(byte[] schema) =>
            [.. DebeziumEnvelope.SchemaOpening, .. schema, .. DebeziumEnvelope.PayloadOpening];
    }
}
