using System.Numerics;
using Avro;
using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Avro;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Testing;
using SentinelSync.Testing.SchemaRegistry;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// The sink's <c>debezium-avro</c> events, read back with Confluent's own <see cref="AvroDeserializer{T}"/> into
/// generic records, against the schema registry STAND-IN (<see cref="SchemaRegistryStandIn"/>), and against a real
/// registry when <c>SENTINEL_TEST_SCHEMA_REGISTRY</c> is set (skipped otherwise).
/// </summary>
public sealed class DebeziumAvroEventsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_commit = new(2026, 11, 30, 11, 59, 58, 250, TimeSpan.Zero);

    internal static readonly TableSchema Items = new(new TableName("public", "items"), 1,
    [
        new ColumnSchema("id", "integer", 23, IsKey: true, 1),
        new ColumnSchema("amount", "numeric(10,2)", 1700, IsKey: false, 2),
        new ColumnSchema("ratio", "numeric", 1700, IsKey: false, 3),
        new ColumnSchema("placed", "timestamp without time zone", 1114, IsKey: false, 4),
        new ColumnSchema("at", "timestamp with time zone", 1184, IsKey: false, 5),
        new ColumnSchema("small", "smallint", 21, IsKey: false, 6),
        new ColumnSchema("r", "real", 700, IsKey: false, 7),
        new ColumnSchema("tags", "text[]", 1009, IsKey: false, 8),
        new ColumnSchema("doc", "jsonb", 3802, IsKey: false, 9),
        new ColumnSchema("body", "bytea", 17, IsKey: false, 10),
        new ColumnSchema("note", "text", 25, IsKey: false, 11),
        new ColumnSchema("day", "date", 1082, IsKey: false, 12),
        new ColumnSchema("flag", "boolean", 16, IsKey: false, 13),
        new ColumnSchema("clock3", "time(3) without time zone", 1083, IsKey: false, 14),
        new ColumnSchema("clock", "time without time zone", 1083, IsKey: false, 15),
        new ColumnSchema("clocktz", "time with time zone", 1266, IsKey: false, 16),
        new ColumnSchema("placed3", "timestamp(3) without time zone", 1114, IsKey: false, 17),
        new ColumnSchema("u", "uuid", 2950, IsKey: false, 18),
        new ColumnSchema("big", "bigint", 20, IsKey: false, 19),
        new ColumnSchema("dbl", "double precision", 701, IsKey: false, 20),
        new ColumnSchema("span", "interval", 1186, IsKey: false, 21),
        new ColumnSchema("cash", "money", 790, IsKey: false, 22),
        new ColumnSchema("nothing", "text", 25, IsKey: false, 23),
    ]);

    internal static readonly ColumnValue[] Row =
    [
        ColumnValue.Of("7"), ColumnValue.Of("12.50"), ColumnValue.Of("-0.001230"), ColumnValue.Of("2024-01-02 03:04:05.123456"),
        ColumnValue.Of("2024-01-02 03:04:05.5+02"), ColumnValue.Of("-3"), ColumnValue.Of("1.1"), ColumnValue.Of("{a,\"b c\"}"),
        ColumnValue.Of("{\"k\": [1, 2]}"), ColumnValue.Of("\\x00ff"), ColumnValue.Of("seven"), ColumnValue.Of("2024-02-29"), ColumnValue.Of("t"),
        ColumnValue.Of("13:14:15.678"), ColumnValue.Of("13:14:15.678901"), ColumnValue.Of("13:14:15+02"), ColumnValue.Of("1969-12-31 23:59:59.999"),
        ColumnValue.Of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), ColumnValue.Of("-9223372036854775808"), ColumnValue.Of("NaN"),
        ColumnValue.Of("1 day 02:00:00"), ColumnValue.Of("$1,234.50"), ColumnValue.Null,
    ];

    internal static RowChange Change(ChangeKind kind, ColumnValue[] values, ColumnValue[]? old = null, TableSchema? schema = null) =>
        new(kind, new Position(0x16B3748, 3), schema ?? Items, values, old) { TransactionId = 771, CommitTime = s_commit };

    internal static DebeziumAvroEvents Events(TestSchemaRegistry registry, string prefix = "shop") =>
        new(prefix, "shopdb", "precise", registry.Client, new FixedTime(s_now));

    private static async Task<GenericRecord> ReadAsync(TestSchemaRegistry registry, byte[] bytes, MessageComponentType part, string topic) =>
        await new AvroDeserializer<GenericRecord>(registry.Client).DeserializeAsync(bytes, isNull: false, new SerializationContext(part, topic));

    [Fact]
    public Task An_insert_is_registry_framed_avro_with_debeziums_record_names_types_and_values() => InsertAsync(real: false);

    [EnvironmentFact(SchemaRegistryStandIn.RegistryVariable, "schema registry")]
    public Task An_insert_against_a_real_registry() => InsertAsync(real: true);

    private static async Task InsertAsync(bool real)
    {
        await using var registry = TestSchemaRegistry.Start(real);
        var prefix = $"shop{Guid.NewGuid():N}"[..12];
        var topic = $"{prefix}.public.items";

        var insert = (await Events(registry, prefix).EventsAsync(Change(ChangeKind.Insert, Row), CancellationToken.None)).Single();

        // Confluent's wire format: magic byte 0, then the big-endian schema id the registry gave the value subject.
        insert.Value![0].ShouldBe((byte)0);
        var valueId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(insert.Value.AsSpan(1, 4));
        (await registry.Client.GetLatestSchemaAsync($"{topic}-value")).Id.ShouldBe(valueId);
        (await registry.Client.GetAllSubjectsAsync()).ShouldContain($"{topic}-key");

        var key = await ReadAsync(registry, insert.Key!, MessageComponentType.Key, topic);
        key.Schema.Fullname.ShouldBe($"{prefix}.public.items.Key");
        key["id"].ShouldBe(7);

        var value = await ReadAsync(registry, insert.Value, MessageComponentType.Value, topic);
        value.Schema.Fullname.ShouldBe($"{prefix}.public.items.Envelope");
        AvroSchemas.StringProperty(value.Schema, "connect.name").ShouldBe($"{prefix}.public.items.Envelope");
        var snapshot = (UnionSchema)((RecordSchema)value.Schema["source"].Schema)["snapshot"].Schema;
        (snapshot.Schemas[0].Tag, AvroSchemas.StringProperty(snapshot.Schemas[0], "connect.name"), snapshot.Schemas[1].Tag)
            .ShouldBe((Schema.Type.String, "io.debezium.data.Enum", Schema.Type.Null));
        value["op"].ShouldBe("c");
        value["before"].ShouldBeNull();
        value["ts_ms"].ShouldBe(s_now.ToUnixTimeMilliseconds());
        var before = (UnionSchema)value.Schema["before"].Schema;
        (before.Schemas[0].Tag, before.Schemas[1].Fullname).ShouldBe((Schema.Type.Null, $"{prefix}.public.items.Value"));

        var source = (GenericRecord)value["source"];
        source.Schema.Fullname.ShouldBe("io.debezium.connector.postgresql.Source");
        (source["connector"], source["name"], source["db"], source["schema"], source["table"], source["snapshot"]).ShouldBe(("postgresql", prefix, "shopdb", "public", "items", "false"));
        (source["txId"], source["lsn"], source["ts_ms"]).ShouldBe((771L, 0x16B3748L, s_commit.ToUnixTimeMilliseconds()));

        var after = (GenericRecord)value["after"];
        var amount = (AvroDecimal)after["amount"];
        (amount.UnscaledValue, amount.Scale).ShouldBe((new BigInteger(1250), 2));
        var amountSchema = (LogicalSchema)AvroSchemas.NonNull(after.Schema["amount"].Schema);
        (amountSchema.LogicalTypeName, amountSchema.GetProperty("precision"), AvroSchemas.StringProperty(amountSchema, "connect.name"))
            .ShouldBe(("decimal", "10", "org.apache.kafka.connect.data.Decimal"));
        var ratio = (GenericRecord)after["ratio"];
        ratio.Schema.Fullname.ShouldBe("io.debezium.data.VariableScaleDecimal");
        (ratio["scale"], new BigInteger((byte[])ratio["value"], isUnsigned: false, isBigEndian: true)).ShouldBe((6, new BigInteger(-1230)));
        after["placed"].ShouldBe(1704164645123456L);
        AvroSchemas.StringProperty(AvroSchemas.NonNull(after.Schema["placed"].Schema), "connect.name").ShouldBe("io.debezium.time.MicroTimestamp");
        after["at"].ShouldBe("2024-01-02T01:04:05.5Z");
        after["small"].ShouldBe(-3);
        AvroSchemas.StringProperty(AvroSchemas.NonNull(after.Schema["small"].Schema), "connect.type").ShouldBe("int16");
        after["r"].ShouldBe(1.1f);
        after["tags"].ShouldBe("{a,\"b c\"}");
        after["doc"].ShouldBe("{\"k\": [1, 2]}");
        AvroSchemas.StringProperty(AvroSchemas.NonNull(after.Schema["doc"].Schema), "connect.name").ShouldBe("io.debezium.data.Json");
        after["body"].ShouldBe(new byte[] { 0x00, 0xff });
        after["note"].ShouldBe("seven");
        after["day"].ShouldBe(19782);
        after["flag"].ShouldBe(true);
        (after["clock3"], after["clock"], after["clocktz"], after["placed3"]).ShouldBe((47655678, 47655678901L, "11:14:15Z", -1L));
        AvroSchemas.StringProperty(AvroSchemas.NonNull(after.Schema["clock3"].Schema), "connect.name").ShouldBe("io.debezium.time.Time");
        (after["u"], after["big"], double.IsNaN((double)after["dbl"]), after["span"], after["cash"], after["nothing"])
            .ShouldBe(("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", long.MinValue, true, "1 day 02:00:00", "$1,234.50", (object?)null));
        registry.StandIn?.Unhandled.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_update_with_unchanged_toast_carries_the_placeholder_and_a_delete_is_followed_by_a_tombstone()
    {
        await using var registry = TestSchemaRegistry.Start();
        var events = Events(registry);
        var values = (ColumnValue[])Row.Clone();
        values[9] = ColumnValue.Unchanged;
        values[10] = ColumnValue.Unchanged;

        var update = (await events.EventsAsync(Change(ChangeKind.Update, values), CancellationToken.None)).Single();
        var after = (GenericRecord)(await ReadAsync(registry, update.Value!, MessageComponentType.Value, "shop.public.items"))["after"];
        after["note"].ShouldBe(DebeziumEnvelope.UnavailableValuePlaceholder);
        after["body"].ShouldBe(System.Text.Encoding.UTF8.GetBytes(DebeziumEnvelope.UnavailableValuePlaceholder));

        var old = new ColumnValue[Items.Columns.Count];
        Array.Fill(old, ColumnValue.Null);
        old[0] = ColumnValue.Of("7");
        var delete = await events.EventsAsync(Change(ChangeKind.Delete, [], old), CancellationToken.None);
        delete.Count.ShouldBe(2);
        var deleted = await ReadAsync(registry, delete[0].Value!, MessageComponentType.Value, "shop.public.items");
        (deleted["op"], ((GenericRecord)deleted["before"])["id"], deleted["after"]).ShouldBe(("d", (object)7, (object?)null));
        delete[1].Key.ShouldBe(delete[0].Key);
        delete[1].Value.ShouldBeNull();
    }

    [Fact]
    public async Task An_unchanged_toast_value_in_a_decimal_column_is_refused_rather_than_nulled()
    {
        await using var registry = TestSchemaRegistry.Start();
        var values = (ColumnValue[])Row.Clone();
        values[1] = ColumnValue.Unchanged;

        var error = await Should.ThrowAsync<KafkaValueException>(() => Events(registry).EventsAsync(Change(ChangeKind.Update, values), CancellationToken.None));

        error.Message.ShouldContain("amount");
    }

    [Fact]
    public async Task An_added_column_registers_a_new_version_that_reads_the_old_one_backward()
    {
        await using var registry = TestSchemaRegistry.Start();
        var events = Events(registry);
        var v2 = new TableSchema(Items.Table, 2, [.. Items.Columns, new ColumnSchema("extra", "text", 25, IsKey: false, 14)]);

        var first = (await events.EventsAsync(Change(ChangeKind.Insert, Row), CancellationToken.None)).Single();
        var second = (await events.EventsAsync(Change(ChangeKind.Insert, [.. Row, ColumnValue.Of("more")], schema: v2), CancellationToken.None)).Single();

        var versions = await registry.Client.GetSubjectVersionsAsync("shop.public.items-value");
        versions.Count.ShouldBe(2);
        (await registry.Client.GetSubjectVersionsAsync("shop.public.items-key")).Count.ShouldBe(1);
        var oldSchema = Schema.Parse((await registry.Client.GetRegisteredSchemaAsync("shop.public.items-value", versions[0])).SchemaString);
        var newSchema = Schema.Parse((await registry.Client.GetRegisteredSchemaAsync("shop.public.items-value", versions[1])).SchemaString);

        // BACKWARD: the new schema reads data written with the old one (the added field takes its default, null).
        var reader = new DefaultReader(oldSchema, newSchema);
        var oldRecord = reader.Read<GenericRecord>(null!, new BinaryDecoder(new MemoryStream(first.Value!, 5, first.Value!.Length - 5)));
        var oldAfter = (GenericRecord)oldRecord["after"];
        (oldAfter["note"], oldAfter["extra"]).ShouldBe(("seven", (object?)null));
        var newAfter = (GenericRecord)(await ReadAsync(registry, second.Value!, MessageComponentType.Value, "shop.public.items"))["after"];
        newAfter["extra"].ShouldBe("more");
    }

    [Fact]
    public async Task Names_avro_cannot_hold_are_adjusted_as_debezium_does_and_clashes_are_refused()
    {
        await using var registry = TestSchemaRegistry.Start();
        var odd = new TableSchema(new TableName("public", "order-lines"), 1,
            [new ColumnSchema("id", "integer", 23, IsKey: true, 1), new ColumnSchema("unit price", "text", 25, IsKey: false, 2)]);

        var insert = (await Events(registry, "my-shop").EventsAsync(Change(ChangeKind.Insert, [ColumnValue.Of("1"), ColumnValue.Of("9")], schema: odd), CancellationToken.None)).Single();

        var value = await ReadAsync(registry, insert.Value!, MessageComponentType.Value, "my-shop.public.order-lines");
        value.Schema.Fullname.ShouldBe("my_shop.public.order_lines.Envelope");
        ((GenericRecord)value["after"])["unit_price"].ShouldBe("9");

        var clash = new TableSchema(new TableName("public", "t"), 1,
            [new ColumnSchema("a b", "integer", 23, IsKey: true, 1), new ColumnSchema("a_b", "text", 25, IsKey: false, 2)]);
        var error = await Should.ThrowAsync<KafkaValueException>(() => Events(registry).EventsAsync(Change(ChangeKind.Insert, [ColumnValue.Of("1"), ColumnValue.Of("x")], schema: clash), CancellationToken.None));
        error.Message.ShouldContain("'a b' and 'a_b'");
    }

    [Fact]
    public async Task An_unreachable_registry_is_transient_and_a_refused_schema_is_permanent()
    {
        var closedPort = SentinelProcess.FreePortPair();
        using var unreachable = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = $"http://127.0.0.1:{closedPort}", RequestTimeoutMs = 5_000 });
        var down = await Should.ThrowAsync<Exception>(() => new DebeziumAvroEvents("shop", "shopdb", "precise", unreachable).EventsAsync(Change(ChangeKind.Insert, Row), CancellationToken.None));
        KafkaSink.IsTransientFailure(down).ShouldBeTrue(down.ToString());

        await using var registry = TestSchemaRegistry.Start();
        registry.StandIn!.RefuseRegistrations = true;
        var refused = await Should.ThrowAsync<Exception>(() => Events(registry).EventsAsync(Change(ChangeKind.Insert, Row), CancellationToken.None));
        KafkaSink.IsTransientFailure(refused).ShouldBeFalse($"{refused.GetType().Name}: {refused.Message}");
    }

    internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
