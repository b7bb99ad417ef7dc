using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

public sealed class KafkaTableShapeTests
{
    private static readonly TableName s_table = new("ks", "t");

    [Fact]
    public void Columns_are_only_added_and_keep_their_numbers_whatever_order_messages_show_them_in()
    {
        var first = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("a", "text", 25, false)]);
        var second = KafkaTableShape.Merge(s_table, first, [new("b", "text", 25, false), new("id", "bigint", 20, true)]);
        var older = KafkaTableShape.Merge(s_table, second, [new("id", "bigint", 20, true)]);

        first.Version.ShouldBe(1);
        second.Version.ShouldBe(2);
        second.Columns.Select(c => (c.Name, c.AttributeNumber)).ShouldBe([("id", 1), ("a", 2), ("b", 3)]);
        older.ShouldBeSameAs(second);
    }

    [Fact]
    public void A_retyped_column_keeps_its_number_under_a_new_version()
    {
        var first = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("n", "integer", 23, false)]);

        var retyped = KafkaTableShape.Merge(s_table, first, [new("n", "bigint", 20, false)]);

        retyped.Version.ShouldBe(2);
        retyped.Columns[1].ShouldBe(new ColumnSchema("n", "bigint", 20, false, 2));
        KafkaTableShape.Covers(retyped, [new("n", "bigint", 20, false)]).ShouldBeTrue();
        KafkaTableShape.Covers(first, [new("n", "bigint", 20, false)]).ShouldBeFalse();
    }

    [Fact]
    public void A_numeric_column_is_never_narrowed_to_bigint_whatever_message_comes_next()
    {
        // Schemaless JSON: 12.50 suggests numeric, the next message's 7 bigint.
        var first = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("price", "numeric", 1700, false)]);

        KafkaTableShape.Merge(s_table, first, [new("price", "bigint", 20, false)]).ShouldBeSameAs(first);
        KafkaTableShape.Covers(first, [new("price", "bigint", 20, false)]).ShouldBeTrue();
        KafkaTableShape.Merge(s_table, KafkaTableShape.Merge(s_table, null, [new("price", "bigint", 20, false)]), [new("price", "numeric", 1700, false)])
            .Columns[0].TypeName.ShouldBe("numeric", "widened the other way round");
    }

    [Fact]
    public void Columns_a_message_lacks_are_null_in_inserts_and_unchanged_in_updates()
    {
        var schema = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("a", "text", 25, false), new("b", "text", 25, false)]);
        FieldValue Field(string name, string value) => new(name, null, ColumnValue.Of(value));

        var insert = KafkaChanges.ToRowChange(new DecodedChange(s_table, ChangeKind.Insert, [Field("id", "1"), Field("a", "x")], null), schema, offset: 0);
        var update = KafkaChanges.ToRowChange(new DecodedChange(s_table, ChangeKind.Update, [Field("id", "1"), Field("a", "y")], null), schema, offset: 1);
        var delete = KafkaChanges.ToRowChange(new DecodedChange(s_table, ChangeKind.Delete, [], [Field("id", "1")]), schema, offset: 2);

        insert.Values.ShouldBe([ColumnValue.Of("1"), ColumnValue.Of("x"), ColumnValue.Null]);
        insert.Position.ShouldBe(new Position(1, 0));
        update.Values.ShouldBe([ColumnValue.Of("1"), ColumnValue.Of("y"), ColumnValue.Unchanged]);
        update.OldKey.ShouldBeNull();
        delete.Values.ShouldBeEmpty();
        delete.OldKey.ShouldBe([ColumnValue.Of("1"), ColumnValue.Null, ColumnValue.Null]);
        KafkaChanges.NextOffset(delete.Position).ShouldBe(3);
    }

    [Fact]
    public void An_update_whose_before_image_has_another_key_moves_the_row()
    {
        var schema = KafkaTableShape.Merge(s_table, null, [new("id", "bigint", 20, true), new("a", "text", 25, false)]);
        FieldValue Field(string name, string value) => new(name, null, ColumnValue.Of(value));

        var moved = KafkaChanges.ToRowChange(new DecodedChange(s_table, ChangeKind.Update, [Field("id", "2"), Field("a", "y")], [Field("id", "1"), Field("a", "y")]), schema, 5);

        moved.OldKey![0].ShouldBe(ColumnValue.Of("1"));
    }
}
