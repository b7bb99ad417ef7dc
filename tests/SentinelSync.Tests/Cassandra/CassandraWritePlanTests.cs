using System.Numerics;
using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Cassandra;

/// <summary>The sink's CQL statements, the conversion of every mapped type and the timestamp rule, on their own.</summary>
public sealed class CassandraWritePlanTests
{
    private static readonly TableSchema _orders = Table("orders", 1,
        Key("tenant", "text"), Key("id", "bigint"),
        Column("amount", "numeric(38,4)"), Column("created", "timestamp with time zone"), Column("tags", "text[]"),
        Column("doc", "jsonb"), Column("photo", "bytea"), Column("day", "date"), Column("at", "time without time zone"),
        Column("ratio", "double precision"), Column("ok", "boolean"), Column("ref", "uuid"), Column("n", "integer"));

    [Fact]
    public void Create_table_maps_the_types_and_makes_the_primary_key_the_partition_key()
    {
        CassandraStatements.CreateTable(new CassandraTable("shop", _orders)).ShouldBe(
            "CREATE TABLE IF NOT EXISTS \"shop\".\"orders\" (\"tenant\" text, \"id\" bigint, \"amount\" decimal, \"created\" timestamp, "
            + "\"created__micros\" bigint, \"tags\" list<text>, \"doc\" text, \"photo\" blob, \"day\" date, \"at\" time, \"ratio\" double, "
            + "\"ok\" boolean, \"ref\" uuid, \"n\" int, PRIMARY KEY ((\"tenant\", \"id\")))");
    }

    [Fact]
    public void Writes_are_timestamped_inserts_and_deletes_with_the_key_last_or_first()
    {
        var table = new CassandraTable("shop", Table("t", 1, Key("id", "integer"), Column("Name", "text")));

        CassandraStatements.Insert(table).ShouldBe("INSERT INTO \"shop\".\"t\" (\"id\", \"Name\") VALUES (?, ?) USING TIMESTAMP ?");
        CassandraStatements.Delete(table).ShouldBe("DELETE FROM \"shop\".\"t\" USING TIMESTAMP ? WHERE \"id\" = ?");
        CassandraStatements.Truncate(table).ShouldBe("TRUNCATE \"shop\".\"t\"");
        CassandraStatements.AddColumn(table, "new col", "list<int>").ShouldBe("ALTER TABLE \"shop\".\"t\" ADD \"new col\" list<int>");
        CassandraStatements.CreateKeyspace("shop", "{'class': 'NetworkTopologyStrategy', 'dc1': 3}")
            .ShouldBe("CREATE KEYSPACE IF NOT EXISTS \"shop\" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    }

    [Fact]
    public void Every_mapped_type_converts_exactly()
    {
        var changes = new ChangeBatchBuilder(_orders, 0x5000).Insert(
            "acme", "9223372036854775807", "-12345678901234567890123456789012.3456", "2024-02-29 13:45:30.123456+01", "{a,\"b c\",\"d\\\"e\"}",
            "{\"k\": [1, 2]}", "\\x00ff10", "2024-02-29", "23:59:59.999999", "-1.5e-300", "t", "550e8400-e29b-41d4-a716-446655440000", "-2147483648").Changes;

        var write = CassandraWritePlan.Build("shop", changes, 0).Writes.ShouldHaveSingleItem();

        var table = write.Table;
        var decoded = table.TargetColumns.Select((c, i) => CqlValueCodec.Decode(c.Type, write.Values[i].Bytes)).ToList();
        decoded.ShouldBe([
            "acme", long.MaxValue, new CqlDecimal(BigInteger.Parse("-123456789012345678901234567890123456"), 4),
            new DateTimeOffset(2024, 2, 29, 12, 45, 30, 123, TimeSpan.Zero), 1_709_210_730_123_456L,
            new List<object?> { "a", "b c", "d\"e" }, "{\"k\": [1, 2]}", new byte[] { 0x00, 0xFF, 0x10 }, new DateOnly(2024, 2, 29),
            new CqlTime(86_399_999_999_000), -1.5e-300, true, Guid.Parse("550e8400-e29b-41d4-a716-446655440000"), int.MinValue]);
        CqlValueCodec.Decode(CqlType.Bigint, write.Values[^1].Bytes).ShouldBe(0x5000L, "USING TIMESTAMP is the last bound value");
    }

    [Fact]
    public void Unchanged_toast_columns_are_unset_and_nulls_are_null()
    {
        var table = Table("t", 1, Key("id", "integer"), Column("big", "text"), Column("at", "timestamp without time zone"), Column("gone", "text"));
        var changes = new ChangeBatchBuilder(table).Update("1", ColumnValue.Unchanged, ColumnValue.Unchanged, null).Changes;

        var values = CassandraWritePlan.Build("ks", changes, 0).Writes.Single().Values;

        values.Select(v => v.IsUnset ? "unset" : v.Bytes is null ? "null" : "value").ShouldBe(["value", "unset", "unset", "unset", "null", "value"]);
    }

    [Fact]
    public void Timestamps_grow_strictly_with_the_position_from_the_reservation_with_the_commit_lsn_as_floor()
    {
        var stamps = new CassandraWriteTimestamps(reserved: 100);

        long[] issued = [
            stamps.Next(new Position(50, 1)), stamps.Next(new Position(50, 2)),
            stamps.Next(new Position(1_000, 1)), stamps.Next(new Position(1_000, 7)), stamps.Next(new Position(1_000, 900_000)),
            stamps.Next(new Position(1_001, 1)), stamps.Next(new Position(5_000_000, 3))];

        issued.ShouldBe([101, 102, 1_000, 1_001, 1_002, 1_003, 5_000_000]);
        stamps.Last.ShouldBe(5_000_000);
    }

    [Fact]
    public void A_redo_from_the_stored_reservation_gets_higher_timestamps_in_the_same_order()
    {
        var table = Table("t", 1, Key("id", "integer"), Column("v", "text"));
        var changes = new ChangeBatchBuilder(table, 0x2000).Insert("1", "a").Update("1", "b").Delete("1").Insert("1", "c").Changes;

        var first = CassandraWritePlan.Build("ks", changes, 0);
        var redo = CassandraWritePlan.Build("ks", changes, first.LastTimestamp);

        first.Writes.Select(w => w.Timestamp).ShouldBeInOrder(SortDirection.Ascending);
        first.Writes.Select(w => w.Timestamp).Distinct().Count().ShouldBe(4);
        redo.Writes.Min(w => w.Timestamp).ShouldBeGreaterThan(first.Writes.Max(w => w.Timestamp), "every redone write lands above the earlier attempt");
        redo.Writes.Select(w => w.Kind).ShouldBe([CassandraWriteKind.Insert, CassandraWriteKind.Insert, CassandraWriteKind.Delete, CassandraWriteKind.Insert]);
    }

    [Fact]
    public void A_key_move_deletes_the_old_key_and_inserts_the_new_one_at_the_same_timestamp_reading_left_out_columns()
    {
        var table = Table("t", 1, Key("id", "integer"), Column("big", "text"));
        var changes = new ChangeBatchBuilder(table).UpdateKey(["1"], "2", ColumnValue.Unchanged).UpdateKey(["2"], "3", "full").Changes;

        var writes = CassandraWritePlan.Build("ks", changes, 0).Writes;

        writes.Select(w => (w.Kind, w.Partition)).ShouldBe([
            (CassandraWriteKind.Insert, "t/00000002"), (CassandraWriteKind.Delete, "t/00000001"),
            (CassandraWriteKind.Delete, "t/00000002"), (CassandraWriteKind.Insert, "t/00000003")],
            "the insert that reads the old row comes before the old row's delete");
        writes[0].Timestamp.ShouldBe(writes[1].Timestamp);
        writes[0].FillFromKey.ShouldNotBeNull().Single().Bytes.ShouldBe(CqlValueCodec.Encode(CqlType.Int, 1));
        writes[3].FillFromKey.ShouldBeNull("nothing to read when the new row is complete");
    }

    [Theory]
    [InlineData("numeric", "NaN", "decimal")]
    [InlineData("date", "infinity", "infinite")]
    [InlineData("integer[]", "{1,NULL}", "NULL")]
    [InlineData("integer[]", "{{1},{2}}", "multidimensional")]
    [InlineData("timestamp with time zone", "-infinity", "infinite")]
    public void Values_cassandra_cannot_hold_fail_the_plan_naming_table_and_position(string type, string text, string reason)
    {
        var changes = new ChangeBatchBuilder(Table("t", 1, Key("id", "integer"), Column("v", type)), 0x42).Insert("1", text).Changes;

        var error = Should.Throw<CassandraValueException>(() => CassandraWritePlan.Build("ks", changes, 0));

        error.Message.ShouldContain("public.t");
        error.Message.ShouldContain("0/42#0");
        error.Message.ShouldContain(reason);
        CassandraErrorClassifier.IsTransient(error).ShouldBeFalse("the data's fault: dead-lettered");
    }

    [Fact]
    public void Keyless_tables_are_refused_with_the_reason()
    {
        var changes = new ChangeBatchBuilder(Table("log", 1, Column("line", "text"))).Insert("x").Changes;

        Should.Throw<KeylessTableException>(() => CassandraWritePlan.Build("ks", changes, 0)).Message.ShouldContain("public.log has no primary key");
    }

    [Theory]
    [InlineData("smallint", "smallint")]
    [InlineData("integer", "int")]
    [InlineData("bigint", "bigint")]
    [InlineData("numeric(10,2)", "decimal")]
    [InlineData("real", "float")]
    [InlineData("double precision", "double")]
    [InlineData("boolean", "boolean")]
    [InlineData("character varying(20)", "text")]
    [InlineData("uuid", "uuid")]
    [InlineData("timestamp(3) without time zone", "timestamp")]
    [InlineData("time without time zone", "time")]
    [InlineData("jsonb", "text")]
    [InlineData("interval", "text")]
    [InlineData("inet", "text")]
    [InlineData("bigint[]", "list<bigint>")]
    [InlineData("timestamp with time zone[]", "text")]
    [InlineData("mood", "text")]
    public void Postgres_types_map_to_cql(string postgres, string cql) =>
        CassandraTypeMapping.Map(postgres).Type.ToCql().ShouldBe(cql);
}
