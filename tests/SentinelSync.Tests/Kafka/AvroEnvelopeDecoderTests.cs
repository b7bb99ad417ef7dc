using Avro;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Testing;
using SentinelSync.Testing.SchemaRegistry;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// <c>format: debezium-avro</c> at the Kafka source: messages written independently by Confluent's own
/// <see cref="AvroSerializer{T}"/> from a hand-written Debezium-shaped schema (as AvroConverter derives it from the
/// Postgres connector's Connect schema), and the sink's own Avro events, decoded through the schema registry
/// STAND-IN (<see cref="SchemaRegistryStandIn"/>); a real registry when <c>SENTINEL_TEST_SCHEMA_REGISTRY</c> is set.
/// </summary>
public sealed class AvroEnvelopeDecoderTests
{
    // Written by hand after Debezium's Postgres connector documentation and Confluent's AvroData conventions, not by the sink.
    private const string EnvelopeSchema = """
        {"type": "record", "name": "Envelope", "namespace": "dbserver1.inventory.customers", "connect.name": "dbserver1.inventory.customers.Envelope",
         "fields": [
          {"name": "before", "type": ["null", {"type": "record", "name": "Value", "connect.name": "dbserver1.inventory.customers.Value", "fields": [
              {"name": "id", "type": "int"},
              {"name": "email", "type": ["null", "string"], "default": null},
              {"name": "credit", "type": ["null", {"type": "bytes", "scale": 2, "precision": 8, "connect.version": 1,
                  "connect.parameters": {"scale": "2", "connect.decimal.precision": "8"}, "connect.name": "org.apache.kafka.connect.data.Decimal", "logicalType": "decimal"}], "default": null},
              {"name": "rank", "type": ["null", {"type": "int", "connect.type": "int16"}], "default": null},
              {"name": "joined", "type": ["null", {"type": "long", "connect.version": 1, "connect.name": "io.debezium.time.MicroTimestamp"}], "default": null},
              {"name": "birthday", "type": ["null", {"type": "int", "connect.version": 1, "connect.name": "io.debezium.time.Date"}], "default": null},
              {"name": "tags", "type": ["null", {"type": "array", "items": ["null", "string"]}], "default": null},
              {"name": "profile", "type": ["null", {"type": "string", "connect.version": 1, "connect.name": "io.debezium.data.Json"}], "default": null},
              {"name": "bio", "type": ["null", "string"], "default": null}
            ]}], "default": null},
          {"name": "after", "type": ["null", "dbserver1.inventory.customers.Value"], "default": null},
          {"name": "source", "type": {"type": "record", "name": "Source", "namespace": "io.debezium.connector.postgresql", "connect.name": "io.debezium.connector.postgresql.Source", "fields": [
              {"name": "version", "type": "string"}, {"name": "connector", "type": "string"}, {"name": "name", "type": "string"},
              {"name": "ts_ms", "type": "long"}, {"name": "db", "type": "string"}, {"name": "schema", "type": "string"}, {"name": "table", "type": "string"},
              {"name": "txId", "type": ["null", "long"], "default": null}, {"name": "lsn", "type": ["null", "long"], "default": null}]}},
          {"name": "op", "type": "string"},
          {"name": "ts_ms", "type": ["null", "long"], "default": null}
         ]}
        """;

    private const string KeySchema = """
        {"type": "record", "name": "Key", "namespace": "dbserver1.inventory.customers", "connect.name": "dbserver1.inventory.customers.Key", "fields": [{"name": "id", "type": "int"}]}
        """;

    private const string Topic = "dbserver1.inventory.customers";

    [Fact]
    public Task Confluent_serialized_debezium_avro_decodes_to_typed_columns_with_placeholders_kept() => ReferenceAsync(real: false);

    [EnvironmentFact(SchemaRegistryStandIn.RegistryVariable, "schema registry")]
    public Task Confluent_serialized_debezium_avro_against_a_real_registry() => ReferenceAsync(real: true);

    private static async Task ReferenceAsync(bool real)
    {
        await using var registry = TestSchemaRegistry.Start(real);
        var topic = real ? $"{Topic}{Guid.NewGuid():N}"[..40] : Topic;
        var envelope = (RecordSchema)Schema.Parse(EnvelopeSchema);
        var row = (RecordSchema)((UnionSchema)envelope["before"].Schema).Schemas[1];
        var after = new GenericRecord(row);
        after.Add("id", 1004);
        after.Add("email", "annek@noanswer.org");
        after.Add("credit", new AvroDecimal(new System.Numerics.BigInteger(-123456), 2));
        after.Add("rank", 3);
        after.Add("joined", 1704164645123456L);
        after.Add("birthday", 19782);
        after.Add("tags", new object?[] { "a", null, "b \"c\"" });
        after.Add("profile", "{\"vip\": true}");
        after.Add("bio", DebeziumEnvelope.UnavailableValuePlaceholder);
        var update = Envelope(envelope, "u", before: null, after);

        var serializer = new AvroSerializer<GenericRecord>(registry.Client);
        var keySerializer = new AvroSerializer<GenericRecord>(registry.Client);
        var key = new GenericRecord((RecordSchema)Schema.Parse(KeySchema));
        key.Add("id", 1004);
        var keyBytes = await keySerializer.SerializeAsync(key, new SerializationContext(MessageComponentType.Key, topic));
        var valueBytes = await serializer.SerializeAsync(update, new SerializationContext(MessageComponentType.Value, topic));

        using var decoder = new AvroEnvelopeDecoder(registry.Client);
        var change = (await decoder.DecodeAsync(new KafkaMessage(topic, 0, 41, keyBytes, valueBytes), CancellationToken.None)).Change.ShouldNotBeNull();

        change.Table.ShouldBe(new TableName("inventory", "customers"));
        change.Kind.ShouldBe(ChangeKind.Update);
        var columns = change.After.ToDictionary(f => f.Name);
        Describe(columns["id"]).ShouldBe("integer key 1004");
        Describe(columns["email"]).ShouldBe("text annek@noanswer.org");
        Describe(columns["credit"]).ShouldBe("numeric(8,2) -1234.56");
        Describe(columns["rank"]).ShouldBe("smallint 3");
        Describe(columns["joined"]).ShouldBe("timestamp without time zone 2024-01-02 03:04:05.123456");
        Describe(columns["birthday"]).ShouldBe("date 2024-02-29");
        Describe(columns["tags"]).ShouldBe("text[] {\"a\",NULL,\"b \\\"c\\\"\"}");
        Describe(columns["profile"]).ShouldBe("jsonb {\"vip\": true}");
        columns["bio"].Value.ShouldBe(ColumnValue.Unchanged);

        // A delete carries the old key in before; its tombstone (a null value) carries nothing.
        var beforeRow = new GenericRecord(row);
        beforeRow.Add("id", 1004);
        var delete = await serializer.SerializeAsync(Envelope(envelope, "d", beforeRow, after: null), new SerializationContext(MessageComponentType.Value, topic));
        var deleted = (await decoder.DecodeAsync(new KafkaMessage(topic, 0, 42, keyBytes, delete), CancellationToken.None)).Change.ShouldNotBeNull();
        (deleted.Kind, deleted.Before!.Single(f => f.Name == "id").Value).ShouldBe((ChangeKind.Delete, ColumnValue.Of("1004")));
        (await decoder.DecodeAsync(new KafkaMessage(topic, 0, 43, keyBytes, null), CancellationToken.None)).ShouldBe(DecodedMessage.Tombstone);
        registry.StandIn?.Unhandled.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_sinks_avro_events_decode_to_the_same_change_as_its_json_events()
    {
        await using var registry = TestSchemaRegistry.Start();
        var values = (ColumnValue[])DebeziumAvroEventsTests.Row.Clone();
        values[10] = ColumnValue.Unchanged;
        var change = DebeziumAvroEventsTests.Change(ChangeKind.Update, values);
        var json = new DebeziumJsonEvents("shop", "shopdb", withSchemas: true, "precise").Of(change).Single();
        var avro = (await DebeziumAvroEventsTests.Events(registry).EventsAsync(change, CancellationToken.None)).Single();

        var fromJson = new EnvelopeDecoder(scylla: false).Decode(new KafkaMessage("shop.public.items", 0, 1, json.Key, json.Value)).Change!;
        using var decoder = new AvroEnvelopeDecoder(registry.Client);
        var fromAvro = (await decoder.DecodeAsync(new KafkaMessage("shop.public.items", 0, 1, avro.Key, avro.Value), CancellationToken.None)).Change!;

        fromAvro.After.Select(Describe).ShouldBe(fromJson.After.Select(Describe));
        fromAvro.After.Select(f => f.Name).ShouldBe(DebeziumAvroEventsTests.Items.Columns.Select(c => c.Name));
        fromAvro.After.Single(f => f.Name == "note").Value.ShouldBe(ColumnValue.Unchanged);
        (fromAvro.Table, fromAvro.Kind).ShouldBe((fromJson.Table, fromJson.Kind));
    }

    [Fact]
    public async Task A_value_that_is_not_registry_framed_avro_is_poison_naming_the_format()
    {
        await using var registry = TestSchemaRegistry.Start();
        using var decoder = new AvroEnvelopeDecoder(registry.Client);

        var error = await Should.ThrowAsync<PoisonMessageException>(async () =>
            await decoder.DecodeAsync(new KafkaMessage(Topic, 0, 1, null, "{\"op\":\"c\"}"u8.ToArray()), CancellationToken.None));

        error.Message.ShouldContain("wire format");
    }

    private static string Describe(FieldValue field) =>
        $"{field.Column?.TypeName}{(field.Column?.IsKey == true ? " key" : "")} {(field.Value.IsUnchanged ? "(unchanged)" : field.Value.Text ?? "NULL")}";

    private static GenericRecord Envelope(RecordSchema schema, string op, GenericRecord? before, GenericRecord? after)
    {
        var source = new GenericRecord((RecordSchema)schema["source"].Schema);
        source.Add("version", "2.7.0.Final");
        source.Add("connector", "postgresql");
        source.Add("name", "dbserver1");
        source.Add("ts_ms", 1_700_000_000_000L);
        source.Add("db", "postgres");
        source.Add("schema", "inventory");
        source.Add("table", "customers");
        source.Add("txId", 555L);
        source.Add("lsn", 24023128L);
        var envelope = new GenericRecord(schema);
        envelope.Add("before", before);
        envelope.Add("after", after);
        envelope.Add("source", source);
        envelope.Add("op", op);
        envelope.Add("ts_ms", 1_700_000_000_100L);
        return envelope;
    }
}
