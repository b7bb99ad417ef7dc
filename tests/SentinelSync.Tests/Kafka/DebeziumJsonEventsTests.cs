using System.Text;
using System.Text.Json;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Debezium;

namespace SentinelSync.Tests.Kafka;

/// <summary>The Debezium envelopes the Kafka sink writes, checked field by field against Debezium's Postgres connector documentation.</summary>
public sealed class DebeziumJsonEventsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_commit = new(2026, 11, 30, 11, 59, 58, 250, TimeSpan.Zero);
    private static readonly TableSchema s_items = new(new TableName("public", "items"), 1,
    [
        new ColumnSchema("id", "integer", 23, IsKey: true, 1),
        new ColumnSchema("name", "text", 25, IsKey: false, 2),
        new ColumnSchema("body", "bytea", 17, IsKey: false, 3),
    ]);

    private static DebeziumJsonEvents Events(bool schemas = false, string decimals = "precise") =>
        new("shop", "shopdb", schemas, decimals, new FixedTime(s_now));

    private static RowChange Change(ChangeKind kind, ColumnValue[] values, ColumnValue[]? old = null, TableSchema? schema = null) =>
        new(kind, new Position(0x16B3748, 3), schema ?? s_items, values, old) { TransactionId = 771, CommitTime = s_commit };

    private static JsonElement Json(byte[]? bytes) => JsonDocument.Parse(bytes!).RootElement;

    [Fact]
    public void An_insert_is_a_create_event_keyed_by_the_primary_key_with_the_debezium_source_block()
    {
        var events = Events().Of(Change(ChangeKind.Insert, [ColumnValue.Of("7"), ColumnValue.Of("seven"), ColumnValue.Null])).ToList();

        events.Count.ShouldBe(1);
        Encoding.UTF8.GetString(events[0].Key!).ShouldBe("""{"id":7}""");
        var value = Json(events[0].Value);
        value.GetProperty("before").ValueKind.ShouldBe(JsonValueKind.Null);
        value.GetProperty("after").GetRawText().ShouldBe("""{"id":7,"name":"seven","body":null}""");
        value.GetProperty("op").GetString().ShouldBe("c");
        value.GetProperty("ts_ms").GetInt64().ShouldBe(s_now.ToUnixTimeMilliseconds());
        var source = value.GetProperty("source");
        source.GetProperty("connector").GetString().ShouldBe("postgresql");
        source.GetProperty("name").GetString().ShouldBe("shop");
        source.GetProperty("db").GetString().ShouldBe("shopdb");
        source.GetProperty("schema").GetString().ShouldBe("public");
        source.GetProperty("table").GetString().ShouldBe("items");
        source.GetProperty("txId").GetInt64().ShouldBe(771);
        source.GetProperty("lsn").GetInt64().ShouldBe(0x16B3748);
        source.GetProperty("ts_ms").GetInt64().ShouldBe(s_commit.ToUnixTimeMilliseconds());
        source.GetProperty("snapshot").GetString().ShouldBe("false");
        source.GetProperty("version").GetString()!.ShouldStartWith("sentinelsync-");
    }

    [Fact]
    public void A_snapshot_row_is_a_read_event_marked_as_snapshot()
    {
        var value = Json(Events().Of(Change(ChangeKind.Snapshot, [ColumnValue.Of("1"), ColumnValue.Of("a"), ColumnValue.Null])).Single().Value);

        value.GetProperty("op").GetString().ShouldBe("r");
        value.GetProperty("source").GetProperty("snapshot").GetString().ShouldBe("true");
    }

    [Fact]
    public void A_delete_carries_the_old_key_in_before_and_is_followed_by_a_tombstone_of_the_same_key()
    {
        var events = Events().Of(Change(ChangeKind.Delete, [], [ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null])).ToList();

        events.Count.ShouldBe(2);
        var delete = Json(events[0].Value);
        delete.GetProperty("op").GetString().ShouldBe("d");
        delete.GetProperty("before").GetRawText().ShouldBe("""{"id":7,"name":null,"body":null}""");
        delete.GetProperty("after").ValueKind.ShouldBe(JsonValueKind.Null);
        events[1].Value.ShouldBeNull();
        events[1].Key.ShouldBe(events[0].Key);
        Encoding.UTF8.GetString(events[1].Key!).ShouldBe("""{"id":7}""");
    }

    [Fact]
    public void Unchanged_toast_values_are_debeziums_placeholder_in_string_and_bytes_columns()
    {
        var value = Json(Events().Of(Change(ChangeKind.Update, [ColumnValue.Of("7"), ColumnValue.Unchanged, ColumnValue.Unchanged])).Single().Value);

        value.GetProperty("op").GetString().ShouldBe("u");
        var after = value.GetProperty("after");
        after.GetProperty("name").GetString().ShouldBe(DebeziumEnvelope.UnavailableValuePlaceholder);
        Encoding.UTF8.GetString(after.GetProperty("body").GetBytesFromBase64()).ShouldBe("__debezium_unavailable_value");
        value.GetProperty("before").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void An_update_of_the_key_is_a_delete_and_tombstone_of_the_old_key_then_a_create_of_the_new_one()
    {
        var events = Events().Of(Change(ChangeKind.Update, [ColumnValue.Of("8"), ColumnValue.Of("x"), ColumnValue.Null], [ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null])).ToList();

        events.Select(e => e.Value is null ? "tombstone" : Json(e.Value).GetProperty("op").GetString()).ShouldBe(["d", "tombstone", "c"]);
        events.Select(e => Encoding.UTF8.GetString(e.Key!)).ShouldBe(["""{"id":7}""", """{"id":7}""", """{"id":8}"""]);
    }

    [Fact]
    public void A_truncate_has_no_key_goes_to_every_partition_and_has_neither_before_nor_after()
    {
        var truncate = Events().Of(Change(ChangeKind.Truncate, [])).Single();

        truncate.Key.ShouldBeNull();
        truncate.AllPartitions.ShouldBeTrue();
        var value = Json(truncate.Value);
        value.GetProperty("op").GetString().ShouldBe("t");
        value.GetProperty("before").ValueKind.ShouldBe(JsonValueKind.Null);
        value.GetProperty("after").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void With_schemas_key_and_value_carry_kafka_connect_schema_blocks_named_after_the_topic()
    {
        var insert = Events(schemas: true).Of(Change(ChangeKind.Insert, [ColumnValue.Of("7"), ColumnValue.Of("seven"), ColumnValue.Null])).Single();

        var key = Json(insert.Key);
        key.GetProperty("payload").GetRawText().ShouldBe("""{"id":7}""");
        key.GetProperty("schema").GetProperty("name").GetString().ShouldBe("shop.public.items.Key");
        key.GetProperty("schema").GetProperty("fields").GetRawText().ShouldBe("""[{"type":"int32","optional":false,"field":"id"}]""");
        var value = Json(insert.Value);
        var schema = value.GetProperty("schema");
        schema.GetProperty("name").GetString().ShouldBe("shop.public.items.Envelope");
        var fields = schema.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("field").GetString()!);
        fields.Keys.ShouldBe(["before", "after", "source", "op", "ts_ms", "transaction"]);
        fields["after"].GetProperty("name").GetString().ShouldBe("shop.public.items.Value");
        fields["after"].GetProperty("fields").GetRawText().ShouldBe(
            """[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"},{"type":"bytes","optional":true,"field":"body"}]""");
        fields["source"].GetProperty("name").GetString().ShouldBe("io.debezium.connector.postgresql.Source");
        value.GetProperty("payload").GetProperty("after").GetProperty("name").GetString().ShouldBe("seven");
    }

    [Theory]
    [InlineData("numeric(10,2)", "123.45", "\"MDk=\"")] // unscaled 12345 = 0x3039
    [InlineData("numeric(10,2)", "-0.01", "\"/w==\"")] // unscaled -1 = 0xFF
    [InlineData("numeric", "-1.5", """{"scale":1,"value":"8Q=="}""")] // unscaled -15 = 0xF1
    [InlineData("integer", "-42", "-42")]
    [InlineData("bigint", "9223372036854775807", "9223372036854775807")]
    [InlineData("boolean", "t", "true")]
    [InlineData("bytea", "\\x0102ff", "\"AQL/\"")]
    [InlineData("double precision", "NaN", "\"NaN\"")]
    [InlineData("double precision", "1.5e+30", "1.5E+30")]
    [InlineData("date", "2024-01-02", "19724")]
    [InlineData("date", "1969-12-31", "-1")]
    [InlineData("date", "0001-01-01 BC", "-719528")]
    [InlineData("time without time zone", "03:04:05.25", "11045250000")]
    [InlineData("time(3) without time zone", "03:04:05.25", "11045250")]
    [InlineData("time with time zone", "03:04:05+02", "\"01:04:05Z\"")]
    [InlineData("timestamp without time zone", "2024-01-02 03:04:05.123456", "1704164645123456")]
    [InlineData("timestamp(3) without time zone", "2024-01-02 03:04:05.123", "1704164645123")]
    [InlineData("timestamp without time zone", "infinity", "9223372036854775807")]
    [InlineData("timestamp with time zone", "2024-01-02 03:04:05.5+05:30", "\"2024-01-01T21:34:05.5Z\"")]
    [InlineData("timestamp with time zone", "2024-01-02 03:04:05+00", "\"2024-01-02T03:04:05Z\"")]
    [InlineData("timestamp with time zone", "-infinity", "\"-infinity\"")]
    [InlineData("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"")]
    [InlineData("integer[]", "{1,NULL,3}", "\"{1,NULL,3}\"")]
    public void Values_are_converted_to_debeziums_types(string type, string text, string json)
    {
        var schema = new TableSchema(new TableName("public", "t"), 1, [new ColumnSchema("id", "integer", 23, true, 1), new ColumnSchema("v", type, 0, false, 2)]);

        var value = Json(Events().Of(Change(ChangeKind.Insert, [ColumnValue.Of("1"), ColumnValue.Of(text)], schema: schema)).Single().Value);

        value.GetProperty("after").GetProperty("v").GetRawText().ShouldBe(json);
    }

    [Fact]
    public void Numeric_nan_cannot_be_a_precise_decimal_and_says_which_setting_carries_it()
    {
        var schema = new TableSchema(new TableName("public", "t"), 1, [new ColumnSchema("id", "integer", 23, true, 1), new ColumnSchema("v", "numeric(10,2)", 1700, false, 2)]);
        var change = Change(ChangeKind.Insert, [ColumnValue.Of("1"), ColumnValue.Of("NaN")], schema: schema);

        Should.Throw<KafkaValueException>(() => Events().Of(change).ToList()).Message.ShouldContain("decimalHandling: string");
        Json(Events(decimals: "string").Of(change).Single().Value).GetProperty("after").GetProperty("v").GetString().ShouldBe("NaN");
    }

    [Theory]
    [InlineData("numeric", "precise")]
    [InlineData("numeric(200,2)", "precise")]
    [InlineData("numeric", "double")]
    public void An_unchanged_toast_value_in_a_numeric_column_is_refused_rather_than_nulled(string type, string decimals)
    {
        var schema = new TableSchema(new TableName("public", "t"), 1, [new ColumnSchema("id", "integer", 23, true, 1), new ColumnSchema("huge", type, 1700, false, 2)]);
        var change = Change(ChangeKind.Update, [ColumnValue.Of("1"), ColumnValue.Unchanged], schema: schema);

        // Null would tell every consumer to erase the value; a Decimal's bytes holding the placeholder would read as a number.
        var error = Should.Throw<KafkaValueException>(() => Events(decimals: decimals).Of(change).ToList());

        error.Message.ShouldContain("column huge of public.t");
        error.Message.ShouldContain("REPLICA IDENTITY FULL");
    }

    [Fact]
    public void Under_decimal_handling_string_an_unchanged_numeric_carries_the_placeholder()
    {
        var schema = new TableSchema(new TableName("public", "t"), 1, [new ColumnSchema("id", "integer", 23, true, 1), new ColumnSchema("huge", "numeric", 1700, false, 2)]);

        var value = Json(Events(decimals: "string").Of(Change(ChangeKind.Update, [ColumnValue.Of("1"), ColumnValue.Unchanged], schema: schema)).Single().Value);

        value.GetProperty("after").GetProperty("huge").GetString().ShouldBe(DebeziumEnvelope.UnavailableValuePlaceholder);
    }

    [Fact]
    public void Logical_types_are_named_in_the_schema_block()
    {
        var schema = new TableSchema(new TableName("public", "t"), 1,
        [
            new ColumnSchema("id", "integer", 23, true, 1),
            new ColumnSchema("amount", "numeric(12,3)", 1700, false, 2),
            new ColumnSchema("at", "timestamp with time zone", 1184, false, 3),
        ]);

        var value = Json(Events(schemas: true).Of(Change(ChangeKind.Insert, [ColumnValue.Of("1"), ColumnValue.Of("1.000"), ColumnValue.Null], schema: schema)).Single().Value);

        var after = value.GetProperty("schema").GetProperty("fields")[1].GetProperty("fields");
        after[1].GetRawText().ShouldBe("""{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"3","connect.decimal.precision":"12"},"field":"amount"}""");
        after[2].GetRawText().ShouldBe("""{"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"at"}""");
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
