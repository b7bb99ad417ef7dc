using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using SentinelSync.Replication.Kafka.Debezium;
using Schema = Avro.Schema;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>
/// Debezium Postgres events as Confluent's AvroConverter writes them: the same envelope as <see cref="DebeziumJsonEvents"/>
/// as Avro records (<see cref="DebeziumAvroSchemas"/>), serialized by Confluent's <see cref="AvroSerializer{T}"/> in the
/// registry's wire format (magic byte 0, the 4-byte schema id, the Avro binary). Schemas are registered under
/// <c>&lt;topic&gt;-key</c> and <c>&lt;topic&gt;-value</c> (TopicNameStrategy); a table's new schema version (an added
/// column, optional with default null) registers a new version. One instance per sink; thread-safe.
/// </summary>
public sealed class DebeziumAvroEvents : IDebeziumEventWriter
{
    private readonly string _topicPrefix;
    private readonly string _database;
    private readonly string _decimalHandling;
    private readonly TimeProvider _time;
    private readonly AvroSerializer<GenericRecord> _keys;
    private readonly AvroSerializer<GenericRecord> _values;
    private readonly ConcurrentDictionary<(TableName Table, int Version), AvroTableShape> _shapes = new();

    public DebeziumAvroEvents(string topicPrefix, string database, string decimalHandling, ISchemaRegistryClient registry, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _topicPrefix = topicPrefix;
        _database = database;
        _decimalHandling = decimalHandling;
        _time = time ?? TimeProvider.System;
        // TopicNameStrategy (<topic>-key, <topic>-value), as Debezium's AvroConverter, not client 2.16's association lookup.
        var config = new AvroSerializerConfig { AutoRegisterSchemas = true, SubjectNameStrategy = SubjectNameStrategy.Topic };
        _keys = new AvroSerializer<GenericRecord>(registry, config);
        _values = new AvroSerializer<GenericRecord>(registry, config);
    }

    /// <summary>The Avro records of one change, before serialization (for tests and for <see cref="EventsAsync"/>).</summary>
    public IEnumerable<(GenericRecord? Key, GenericRecord? Value, bool AllPartitions)> Records(RowChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var shape = Shape(change.Schema);
        foreach (var step in DebeziumEventPlan.Of(change, shape.KeyIndexes))
        {
            var key = step.KeyRow is { } row ? Key(shape, row) : null;
            yield return (key, step.Op is { } op ? Envelope(shape, change, op, step.Before, step.After) : null, step.AllPartitions);
        }
    }

    public async Task<IReadOnlyList<DebeziumEvent>> EventsAsync(RowChange change, CancellationToken cancellationToken)
    {
        var topic = $"{_topicPrefix}.{change.Schema.Table.Schema}.{change.Schema.Table.Name}";
        var keyContext = new SerializationContext(MessageComponentType.Key, topic);
        var valueContext = new SerializationContext(MessageComponentType.Value, topic);
        var events = new List<DebeziumEvent>(2);
        foreach (var (key, value, allPartitions) in Records(change))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keyBytes = key is null ? null : await _keys.SerializeAsync(key, keyContext).ConfigureAwait(false);
            var valueBytes = value is null ? null : await _values.SerializeAsync(value, valueContext).ConfigureAwait(false);
            events.Add(new DebeziumEvent(keyBytes, valueBytes, allPartitions));
        }

        return events;
    }

    private AvroTableShape Shape(TableSchema schema) =>
        _shapes.GetOrAdd((schema.Table, schema.Version), static (_, made) => new AvroTableShape(made.Schema, made.TopicPrefix, made.DecimalHandling), (Schema: schema, TopicPrefix: _topicPrefix, DecimalHandling: _decimalHandling));

    private static GenericRecord Key(AvroTableShape shape, ColumnValue[] row)
    {
        var record = new GenericRecord(shape.KeySchema);
        foreach (var i in shape.KeyIndexes)
        {
            record.Add(shape.FieldNames[i], Value(shape, i, row[i], shape.KeySchema));
        }

        return record;
    }

    private GenericRecord Envelope(AvroTableShape shape, RowChange change, string op, ColumnValue[]? before, ColumnValue[]? after)
    {
        var envelope = new GenericRecord(shape.EnvelopeSchema);
        envelope.Add(DebeziumEnvelope.Before, Row(shape, before));
        envelope.Add(DebeziumEnvelope.After, Row(shape, after));
        envelope.Add(DebeziumEnvelope.Source, Source(shape, change));
        envelope.Add(DebeziumEnvelope.Op, op);
        envelope.Add(DebeziumEnvelope.TsMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        envelope.Add("transaction", null);
        return envelope;
    }

    private static GenericRecord? Row(AvroTableShape shape, ColumnValue[]? row)
    {
        if (row is null || row.Length == 0)
        {
            return null;
        }

        var record = new GenericRecord(shape.RowSchema);
        for (var i = 0; i < shape.FieldNames.Length; i++)
        {
            record.Add(shape.FieldNames[i], i < row.Length ? Value(shape, i, row[i], shape.RowSchema) : null);
        }

        return record;
    }

    private GenericRecord Source(AvroTableShape shape, RowChange change)
    {
        var source = new GenericRecord(shape.SourceSchema);
        source.Add("version", DebeziumEnvelope.Version);
        source.Add("connector", DebeziumEnvelope.Connector);
        source.Add("name", _topicPrefix);
        source.Add("ts_ms", (change.CommitTime ?? _time.GetUtcNow()).ToUnixTimeMilliseconds());
        source.Add("snapshot", DebeziumEventPlan.IsSnapshot(change) ? "true" : "false");
        source.Add("db", _database);
        // Debezium's sequence holds WAL record LSNs pgoutput does not give; the position travels in a header instead.
        source.Add("sequence", null);
        source.Add("schema", change.Schema.Table.Schema);
        source.Add("table", change.Schema.Table.Name);
        source.Add("txId", change.TransactionId != 0 ? (long)change.TransactionId : null);
        source.Add("lsn", (long)change.Position.Lsn);
        source.Add("xmin", null);
        return source;
    }

    /// <summary>Column <paramref name="i"/>'s value as the Avro value of its field in <paramref name="record"/>.</summary>
    private static object? Value(AvroTableShape shape, int i, ColumnValue value, RecordSchema record)
    {
        var type = shape.Types[i];
        if (value.IsUnchanged && !type.TakesPlaceholder)
        {
            // Avro's decimal and numeric types cannot hold Debezium's string placeholder, and null would erase the value.
            throw DebeziumValues.UnavailableRefused(shape.Table, shape.Columns[i]);
        }

        var connect = DebeziumValues.ToConnect(type, value);
        if (connect is null)
        {
            return null;
        }

        var target = AvroSchemas.NonNull(record[shape.FieldNames[i]].Schema);
        return connect switch
        {
            VariableScaleDecimal v => VariableDecimal((RecordSchema)target, v),
            byte[] unscaled when target is LogicalSchema { LogicalTypeName: "decimal" } decimalSchema =>
                new AvroDecimal(new BigInteger(unscaled, isUnsigned: false, isBigEndian: true), int.Parse(decimalSchema.GetProperty("scale") ?? "0", CultureInfo.InvariantCulture)),
            _ => target.Tag switch
            {
                Schema.Type.Int => checked((int)Convert.ToInt64(connect, CultureInfo.InvariantCulture)),
                Schema.Type.Long => Convert.ToInt64(connect, CultureInfo.InvariantCulture),
                // Parsed from the text, not narrowed from a double: real's shortest text gives the exact float.
                Schema.Type.Float => float.Parse(value.Text!, NumberStyles.Float, CultureInfo.InvariantCulture),
                _ => connect,
            },
        };
    }

    private static GenericRecord VariableDecimal(RecordSchema schema, VariableScaleDecimal value)
    {
        var record = new GenericRecord(schema);
        record.Add("scale", value.Scale);
        record.Add("value", value.Unscaled);
        return record;
    }
}
