using SentinelSync.Replication;
using SentinelSync.Replication.Masking;

namespace SentinelSync.Tests.Masking;

public sealed class TableTransformTests
{
    private static readonly TableName s_customers = new("public", "customers");

    private static readonly TableSchema s_schema = new(s_customers, 1,
    [
        new ColumnSchema("id", "integer", 23, IsKey: true, AttributeNumber: 1),
        new ColumnSchema("full_name", "character varying(40)", 1043, IsKey: false, AttributeNumber: 2),
        new ColumnSchema("email", "character varying(40)", 1043, IsKey: false, AttributeNumber: 3),
        new ColumnSchema("phone", "text", 25, IsKey: false, AttributeNumber: 4),
        new ColumnSchema("notes", "text", 25, IsKey: false, AttributeNumber: 5),
        new ColumnSchema("visits", "integer", 23, IsKey: false, AttributeNumber: 6),
    ]);

    private static readonly Masker s_masker = new(MaskerTests.Options());

    private static TableTransform Transform(Action<TableTransformConfig>? change = null)
    {
        var config = new TableTransformConfig
        {
            Table = "public.customers",
            Mask = new() { ["email"] = "hmac", ["phone"] = "redact", ["visits"] = "sha256" },
            Exclude = ["notes"],
            Rename = new() { ["full_name"] = "name" },
        };
        change?.Invoke(config);
        return new TableTransform(config, s_masker);
    }

    private static RowChange Insert(params ColumnValue[] values) => new(ChangeKind.Insert, new Position(100, 1), s_schema, values);

    [Fact]
    public void Masks_excludes_and_renames_and_masked_columns_become_text()
    {
        var change = Transform().Apply(Insert(
            ColumnValue.Of("7"), ColumnValue.Of("Alice Smith"), ColumnValue.Of("alice@example.com"), ColumnValue.Of("555-0100"), ColumnValue.Of("VIP"), ColumnValue.Of("42")));

        change.Schema.Columns.Select(c => $"{c.Name}:{c.TypeName}:{c.AttributeNumber}").ShouldBe(
            ["id:integer:1", "name:character varying(40):2", "email:text:3", "phone:text:4", "visits:text:6"]);
        change.Values.Select(v => v.Text).ShouldBe(["7", "Alice Smith", s_masker.Hmac("alice@example.com"), Masker.Redacted, s_masker.Sha256("42")]);
        change.Schema.Table.ShouldBe(s_customers, "the sink still knows which source table it is");
        change.Position.ShouldBe(new Position(100, 1));
    }

    [Fact]
    public void NULL_stays_NULL_and_an_unchanged_TOAST_marker_stays_a_marker()
    {
        var change = Transform().Apply(Insert(
            ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Unchanged, ColumnValue.Unchanged, ColumnValue.Null) with { Kind = ChangeKind.Update });

        change.Values[2].IsNull.ShouldBeTrue("a NULL email is not masked into a value");
        change.Values[3].IsUnchanged.ShouldBeTrue("the destination keeps its masked phone; a constant would overwrite it");
        change.Values[4].IsNull.ShouldBeTrue();
    }

    [Fact]
    public void The_old_row_of_a_delete_is_projected_the_same_way()
    {
        var delete = new RowChange(ChangeKind.Delete, new Position(100, 2), s_schema, [],
            [ColumnValue.Of("7"), ColumnValue.Of("Alice Smith"), ColumnValue.Of("alice@example.com"), ColumnValue.Null, ColumnValue.Of("VIP"), ColumnValue.Null]);

        var change = Transform().Apply(delete);

        change.Values.ShouldBeEmpty();
        change.OldKey!.Select(v => v.Text).ShouldBe(["7", "Alice Smith", s_masker.Hmac("alice@example.com"), null, null]);
        RowKeys.Of(change).ShouldBe(RowKeys.Of(delete), "row identity is unchanged");
    }

    [Fact]
    public void Columns_added_later_flow_unchanged()
    {
        var grown = s_schema with { Version = 2, Columns = [.. s_schema.Columns, new ColumnSchema("tier", "text", 25, false, 7)] };
        var insert = new RowChange(ChangeKind.Insert, new Position(200, 1), grown,
            [ColumnValue.Of("8"), ColumnValue.Of("Bob"), ColumnValue.Of("bob@example.com"), ColumnValue.Of("1"), ColumnValue.Of("n"), ColumnValue.Of("3"), ColumnValue.Of("gold")]);

        var change = Transform().Apply(insert);

        change.Schema.Version.ShouldBe(2);
        change.Schema.Columns[^1].ShouldBe(new ColumnSchema("tier", "text", 25, false, 7));
        change.Values[^1].Text.ShouldBe("gold");
    }

    [Theory]
    [InlineData("mask")]
    [InlineData("exclude")]
    public void Masking_or_excluding_a_key_column_is_refused(string how)
    {
        var transform = Transform(c =>
        {
            if (how == "mask")
            {
                c.Mask["id"] = "hmac";
            }
            else
            {
                c.Exclude.Add("id");
            }
        });

        var error = Should.Throw<TransformRefusedException>(() => transform.Apply(Insert(ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null)));

        error.Message.ShouldContain("key column(s) 'id'");
    }

    [Fact]
    public void Renaming_a_key_column_keeps_it_the_key()
    {
        var change = Transform(c => c.Rename["id"] = "customer_id").Apply(Insert(ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null));

        change.Schema.Columns[0].ShouldBe(new ColumnSchema("customer_id", "integer", 23, IsKey: true, AttributeNumber: 1));
    }

    [Fact]
    public void A_masked_column_the_table_does_not_have_is_refused_rather_than_letting_the_real_one_through()
    {
        var transform = Transform(c => c.Mask = new() { ["e_mail"] = "hmac" });

        var error = Should.Throw<TransformRefusedException>(() => transform.Apply(Insert(ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Of("alice@example.com"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Null)));

        error.Message.ShouldContain("'e_mail'");
        error.Message.ShouldNotContain("alice");
    }

    [Fact]
    public void A_rename_onto_an_existing_column_is_refused()
    {
        var transform = Transform(c => c.Rename = new() { ["full_name"] = "visits" });

        Should.Throw<TransformRefusedException>(() => transform.Apply(Insert(ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null, ColumnValue.Null)))
            .Message.ShouldContain("'visits'");
    }

    [Fact]
    public void The_same_value_in_two_tables_masks_to_the_same_text()
    {
        var orders = new TableSchema(new TableName("public", "orders"), 1,
            [new ColumnSchema("id", "bigint", 20, true, 1), new ColumnSchema("buyer_email", "text", 25, false, 2)]);
        var ordersTransform = new TableTransform(new TableTransformConfig { Table = "public.orders", Mask = new() { ["buyer_email"] = "hmac" } }, new Masker(MaskerTests.Options()));

        var order = ordersTransform.Apply(new RowChange(ChangeKind.Insert, new Position(1, 1), orders, [ColumnValue.Of("1"), ColumnValue.Of("alice@example.com")]));
        var customer = Transform().Apply(Insert(ColumnValue.Of("7"), ColumnValue.Null, ColumnValue.Of("alice@example.com"), ColumnValue.Null, ColumnValue.Null, ColumnValue.Null));

        order.Values[1].ShouldBe(customer.Values[2]);
    }
}
