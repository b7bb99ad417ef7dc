using Avro;
using SentinelSync.Replication.Kafka.Debezium;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>A table schema version's Debezium types, Avro field names and parsed key and envelope schemas, built once.</summary>
internal sealed class AvroTableShape
{
    public AvroTableShape(TableSchema schema, string topicPrefix, string decimalHandling)
    {
        Table = schema.Table;
        Columns = schema.Columns;
        Types = [.. schema.Columns.Select(c => DebeziumTypeMapping.Of(c, decimalHandling))];
        KeyIndexes = [.. schema.KeyIndexes];
        FieldNames = [.. schema.Columns.Select(c => AvroNames.Adjust(c.Name))];
        var clash = FieldNames.Select((f, i) => (Field: f, Column: schema.Columns[i].Name)).GroupBy(f => f.Field).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new KafkaValueException(
                $"columns {string.Join(" and ", clash.Select(c => $"'{c.Column}'"))} of {schema.Table} both become the Avro field '{clash.Key}' (Avro names allow letters, digits and '_' only); rename one");
        }

        var name = $"{topicPrefix}.{schema.Table.Schema}.{schema.Table.Name}";
        KeySchema = (RecordSchema)Schema.Parse(DebeziumAvroSchemas.Key(name, schema, Types, FieldNames));
        EnvelopeSchema = (RecordSchema)Schema.Parse(DebeziumAvroSchemas.Envelope(name, schema, Types, FieldNames));
        RowSchema = (RecordSchema)AvroSchemas.NonNull(EnvelopeSchema[DebeziumEnvelope.Before].Schema);
        SourceSchema = (RecordSchema)EnvelopeSchema[DebeziumEnvelope.Source].Schema;
    }

    public TableName Table { get; }

    public IReadOnlyList<ColumnSchema> Columns { get; }

    public DebeziumColumnType[] Types { get; }

    public int[] KeyIndexes { get; }

    /// <summary>Each column's Avro field name (<see cref="AvroNames.Adjust"/>).</summary>
    public string[] FieldNames { get; }

    public RecordSchema KeySchema { get; }

    public RecordSchema EnvelopeSchema { get; }

    /// <summary>The <c>Value</c> record of before and after.</summary>
    public RecordSchema RowSchema { get; }

    public RecordSchema SourceSchema { get; }
}
