using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Source;
using SentinelSync.Testing.Kafka;

namespace SentinelSync.Tests.Kafka;

/// <summary>Decoding of the connectors' documented message shapes (fixtures in SentinelSync.Testing/Kafka/Fixtures).</summary>
public sealed class EnvelopeDecoderTests
{
    private static DecodedMessage Decode(string fixture, int index, bool scylla = false)
    {
        var loaded = KafkaFixture.Load(fixture);
        var (key, value) = loaded.Records[index];
        return new EnvelopeDecoder(scylla).Decode(new KafkaMessage(loaded.Topic, 0, index, key, value));
    }

    private static Dictionary<string, ColumnValue> Row(IReadOnlyList<FieldValue> fields) => fields.ToDictionary(f => f.Name, f => f.Value);

    [Fact]
    public void Postgres_snapshot_read_with_schema_keeps_exact_types_and_values()
    {
        var change = Decode("postgres-customers-schema", 0).Change!;

        change.Table.ShouldBe(new TableName("inventory", "customers"));
        change.Kind.ShouldBe(ChangeKind.Snapshot);
        var row = Row(change.After);
        row["id"].ShouldBe(ColumnValue.Of("1001"));
        row["balance"].ShouldBe(ColumnValue.Of("1234.50"));
        row["birth"].ShouldBe(ColumnValue.Of("2020-02-29"));
        row["created"].ShouldBe(ColumnValue.Of("2024-03-01 12:34:56.789012"));
        row["updated_at"].ShouldBe(ColumnValue.Of("2024-03-01T12:34:56.789012Z"));
        var columns = change.ObservedColumns.ToDictionary(c => c.Name);
        columns["id"].ShouldBe(new ObservedColumn("id", "integer", 23, IsKey: true));
        columns["balance"].ShouldBe(new ObservedColumn("balance", "numeric(10,2)", 1700, IsKey: false));
        columns["birth"].TypeName.ShouldBe("date");
        columns["created"].TypeName.ShouldBe("timestamp without time zone");
        columns["updated_at"].TypeName.ShouldBe("timestamp with time zone");
        columns["notes"].TypeName.ShouldBe("text");
    }

    [Fact]
    public void Postgres_negative_decimal_and_null_date()
    {
        var row = Row(Decode("postgres-customers-schema", 1).Change!.After);

        row["balance"].ShouldBe(ColumnValue.Of("-0.05"));
        row["birth"].ShouldBe(ColumnValue.Null);
    }

    [Fact]
    public void Unavailable_value_placeholder_becomes_unchanged_never_data()
    {
        var change = Decode("postgres-customers-schema", 2).Change!;

        change.Kind.ShouldBe(ChangeKind.Update);
        Row(change.After)["notes"].ShouldBe(ColumnValue.Unchanged);
        Row(change.After)["first_name"].ShouldBe(ColumnValue.Of("Anne Marie"));
    }

    [Fact]
    public void Unavailable_placeholder_in_a_schemaless_bytea_is_recognised_base64_encoded()
    {
        var decoded = Decode("postgres-orders-schemaless", 2);
        var row = Row(decoded.Change!.After);

        row["comment"].ShouldBe(ColumnValue.Unchanged);
        row["blob"].ShouldBe(ColumnValue.Unchanged);
        row["quantity"].ShouldBe(ColumnValue.Of("3"));
    }

    [Fact]
    public void Delete_carries_the_old_key_and_the_tombstone_after_it_is_skipped()
    {
        var delete = Decode("postgres-customers-schema", 3);
        var tombstone = Decode("postgres-customers-schema", 4);

        delete.Change!.Kind.ShouldBe(ChangeKind.Delete);
        delete.Change.After.ShouldBeEmpty();
        Row(delete.Change.Before!)["id"].ShouldBe(ColumnValue.Of("1001"));
        tombstone.Change.ShouldBeNull();
        tombstone.Skipped!.ShouldStartWith("tombstone");
    }

    [Fact]
    public void A_new_field_in_the_envelope_schema_is_a_new_column()
    {
        var before = Decode("postgres-customers-schema", 1).Change!;
        var after = Decode("postgres-customers-schema", 5).Change!;
        var schema = KafkaTableShape.Merge(before.Table, null, before.ObservedColumns);

        var evolved = KafkaTableShape.Merge(after.Table, schema, after.ObservedColumns);

        evolved.Version.ShouldBe(schema.Version + 1);
        evolved.Columns[^1].ShouldBe(new ColumnSchema("phone", "text", 25, false, schema.Columns.Count + 1));
        evolved.Columns.Take(schema.Columns.Count).ShouldBe(schema.Columns);
        Row(after.After)["updated_at"].ShouldBe(ColumnValue.Of("2024-03-01T12:35:00+02:00"));
    }

    [Fact]
    public void Schemaless_values_infer_types_from_json()
    {
        var change = Decode("postgres-orders-schemaless", 0).Change!;
        var columns = change.ObservedColumns.ToDictionary(c => c.Name);

        change.Table.ShouldBe(new TableName("inventory", "orders"));
        columns["id"].ShouldBe(new ObservedColumn("id", "bigint", 20, IsKey: true));
        columns["price"].TypeName.ShouldBe("numeric");
        columns["comment"].TypeName.ShouldBe("text");
        Row(change.After)["price"].ShouldBe(ColumnValue.Of("12.50"));
        Row(change.After)["blob"].ShouldBe(ColumnValue.Of("3q2+7w=="));
    }

    [Fact]
    public void Unknown_envelope_fields_are_ignored_with_a_warning()
    {
        var decoded = Decode("postgres-orders-schemaless", 2);

        decoded.Warnings.ShouldBe(["unknown envelope field 'future_field' ignored"]);
        decoded.Change.ShouldNotBeNull();
        Decode("postgres-customers-schema", 2).Warnings.ShouldBeEmpty(); // ts_us is a known field
    }

    [Fact]
    public void Mysql_names_the_table_by_its_database_and_keeps_float_boolean_and_millisecond_timestamp()
    {
        var insert = Decode("mysql-products-schema", 0).Change!;
        var update = Decode("mysql-products-schema", 1).Change!;
        var delete = Decode("mysql-products-schema", 3).Change!;

        insert.Table.ShouldBe(new TableName("inventory", "products"));
        Row(insert.After)["weight"].ShouldBe(ColumnValue.Of("3.14"));
        Row(insert.After)["active"].ShouldBe(ColumnValue.Of("true"));
        Row(insert.After)["added"].ShouldBe(ColumnValue.Of("2024-03-01 12:34:56.789"));
        insert.ObservedColumns.Single(c => c.Name == "weight").TypeName.ShouldBe("double precision");
        Row(update.After)["active"].ShouldBe(ColumnValue.Of("false"));
        Row(update.Before!)["weight"].ShouldBe(ColumnValue.Of("3.14"));
        delete.Kind.ShouldBe(ChangeKind.Delete);
        Row(delete.Before!)["id"].ShouldBe(ColumnValue.Of("102"));
    }

    [Fact]
    public void Cassandra_cells_unwrap_and_unset_cells_are_kept_by_updates_and_null_in_inserts()
    {
        var insert = Decode("cassandra-users-schemaless", 0).Change!;
        var update = Decode("cassandra-users-schemaless", 1).Change!;
        var partialInsert = Decode("cassandra-users-schemaless", 2).Change!;
        var delete = Decode("cassandra-users-schemaless", 3).Change!;

        insert.Table.ShouldBe(new TableName("ks", "users"));
        insert.Kind.ShouldBe(ChangeKind.Insert);
        Row(insert.After).ShouldBe(new Dictionary<string, ColumnValue> { ["id"] = ColumnValue.Of("u1"), ["name"] = ColumnValue.Of("Ada"), ["age"] = ColumnValue.Of("36") });
        insert.ObservedColumns.Single(c => c.Name == "id").IsKey.ShouldBeTrue();
        Row(update.After)["name"].ShouldBe(ColumnValue.Unchanged);
        Row(update.After)["age"].ShouldBe(ColumnValue.Of("37"));
        Row(partialInsert.After)["age"].ShouldBe(ColumnValue.Null);
        delete.Kind.ShouldBe(ChangeKind.Delete);
        Row(delete.Before!)["id"].ShouldBe(ColumnValue.Of("u2"));
    }

    [Fact]
    public void Scylla_cells_distinguish_not_written_from_written_null()
    {
        var insert = Decode("scylla-t-schema", 0, scylla: true).Change!;
        var updateV = Decode("scylla-t-schema", 1, scylla: true).Change!;
        var updateNull = Decode("scylla-t-schema", 2, scylla: true).Change!;
        var insertWithoutN = Decode("scylla-t-schema", 3, scylla: true).Change!;
        var delete = Decode("scylla-t-schema", 4, scylla: true).Change!;

        insert.Table.ShouldBe(new TableName("ks", "t"));
        Row(insert.After).ShouldBe(new Dictionary<string, ColumnValue> { ["ck"] = ColumnValue.Of("1"), ["pk"] = ColumnValue.Of("1"), ["v"] = ColumnValue.Of("example row"), ["n"] = ColumnValue.Of("7") });
        insert.ObservedColumns.Where(c => c.IsKey).Select(c => c.Name).Order().ShouldBe(["ck", "pk"]);
        insert.ObservedColumns.Single(c => c.Name == "n").TypeName.ShouldBe("bigint");
        Row(updateV.After)["v"].ShouldBe(ColumnValue.Of("new value"));
        Row(updateV.After)["n"].ShouldBe(ColumnValue.Unchanged);
        Row(updateNull.After)["v"].ShouldBe(ColumnValue.Null);
        Row(insertWithoutN.After)["n"].ShouldBe(ColumnValue.Null);
        delete.Kind.ShouldBe(ChangeKind.Delete);
        Row(delete.Before!)["ck"].ShouldBe(ColumnValue.Of("2"));
        Decode("scylla-t-schema", 5, scylla: true).Change.ShouldBeNull();
    }

    [Theory]
    [InlineData("not json", "the value is not JSON")]
    [InlineData("[1,2]", "not a change-event envelope")]
    [InlineData("{\"after\": {\"id\": 1}}", "no 'op' field")]
    [InlineData("{\"op\": \"x\", \"after\": {\"id\": 1}}", "unknown op 'x'")]
    [InlineData("{\"op\": \"c\", \"after\": null}", "without an 'after' row")]
    [InlineData("{\"schema\": {\"type\": \"struct\", \"fields\": [{\"field\": \"after\", \"type\": \"struct\", \"fields\": [{\"field\": \"d\", \"type\": \"int32\", \"name\": \"io.debezium.time.Date\"}]}]}, \"payload\": {\"op\": \"c\", \"after\": {\"d\": \"soon\"}}}", "does not fit its schema")]
    public void Undecodable_messages_are_poison_with_the_reason(string value, string reason)
    {
        var error = Should.Throw<PoisonMessageException>(() =>
            new EnvelopeDecoder(scylla: false).Decode(new KafkaMessage("db.s.t", 0, 5, null, System.Text.Encoding.UTF8.GetBytes(value))));

        error.Message.ShouldContain(reason);
    }

    [Fact]
    public void A_truncate_names_its_table_and_carries_no_row()
    {
        const string value = """{"before": null, "after": null, "source": {"connector": "postgresql", "schema": "inventory", "table": "orders"}, "op": "t"}""";

        var change = new EnvelopeDecoder(scylla: false).Decode(new KafkaMessage("dbserver1.inventory.orders", 0, 9, null, System.Text.Encoding.UTF8.GetBytes(value))).Change!;

        change.ShouldBe(change with { Table = new TableName("inventory", "orders"), Kind = ChangeKind.Truncate });
        change.After.ShouldBeEmpty();
    }

    /// <summary>A Debezium value with its schema block: one column <c>v</c> of Connect type <paramref name="type"/>.</summary>
    private static byte[] ValueWithSchema(string type, string value) => System.Text.Encoding.UTF8.GetBytes($$$"""
        {"schema":{"type":"struct","fields":[
          {"type":"struct","optional":true,"field":"after","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"{{{type}}}","optional":true,"field":"v"}]},
          {"type":"string","optional":false,"field":"op"}]},
         "payload":{"after":{"id":1,"v":{{{value}}}},"source":{"schema":"public","table":"t"},"op":"c"}}
        """);

    [Fact]
    public void One_decoder_follows_a_changed_schema_block_of_the_same_table()
    {
        var decoder = new EnvelopeDecoder(scylla: false);

        var first = decoder.Decode(new KafkaMessage("db.public.t", 0, 0, null, ValueWithSchema("int32", "5"))).Change!;
        var again = decoder.Decode(new KafkaMessage("db.public.t", 0, 1, null, ValueWithSchema("int32", "6"))).Change!;
        var changed = decoder.Decode(new KafkaMessage("db.public.t", 0, 2, null, ValueWithSchema("string", "\"seven\""))).Change!;

        first.ObservedColumns.Single(c => c.Name == "v").TypeName.ShouldBe("integer");
        Row(again.After)["v"].ShouldBe(ColumnValue.Of("6"));
        changed.ObservedColumns.Single(c => c.Name == "v").TypeName.ShouldBe("text");
        Row(changed.After)["v"].ShouldBe(ColumnValue.Of("seven"));
    }

    [Fact]
    public void An_unknown_type_in_a_cached_schema_block_is_refused_every_time()
    {
        var decoder = new EnvelopeDecoder(scylla: false);

        for (var offset = 0; offset < 2; offset++)
        {
            var message = new KafkaMessage("db.public.t", 0, offset, null, ValueWithSchema("no-such-type", "1"));
            Should.Throw<PoisonMessageException>(() => decoder.Decode(message)).Message.ShouldContain("no-such-type");
        }
    }
}
