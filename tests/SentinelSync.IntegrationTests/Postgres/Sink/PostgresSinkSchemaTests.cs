using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>Table creation and schema evolution of the Postgres sink.</summary>
public sealed class PostgresSinkSchemaTests
{
    private const string ColumnsSql = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_attribute a
        WHERE a.attrelid = 'public.people'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    private const string KeySql = """
        SELECT string_agg(a.attname, ',' ORDER BY k.ord)
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = 'public.people'::regclass AND i.indisprimary
        """;

    private static readonly TableSchema s_v1 = Table(
        "people", 1, Key("tenant", "character varying(10)", 1), Key("id", "bigint", 2), Column("name", "text", 3), Column("legacy", "integer", 4), Column("nick", "text", 5));

    [Fact]
    public async Task A_missing_table_is_created_with_the_source_types_column_order_and_primary_key()
    {
        await using var target = await SinkTarget.CreateAsync();
        var schema = Table(
            "people", 1,
            Key("tenant", "character varying(10)"), Key("id", "bigint"), Column("amount", "numeric(20,4)"), Column("tags", "integer[]"),
            Column("at", "timestamp(3) with time zone"), Column("Mixed Case", "text"));

        await target.Sink.EnsureTableAsync(schema);

        (await target.RowsAsync(ColumnsSql)).ShouldBe([
            "tenant|character varying(10)|True", "id|bigint|True", "amount|numeric(20,4)|False", "tags|integer[]|False",
            "at|timestamp(3) with time zone|False", "Mixed Case|text|False"]);
        (await target.Database.ScalarAsync<string>(KeySql)).ShouldBe("tenant,id");
    }

    [Fact]
    public async Task Added_dropped_and_renamed_columns_are_followed_and_old_rows_keep_their_data()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_v1).Insert("t", "1", "alice", "42", "al");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        // Source: DROP COLUMN legacy; RENAME nick TO nickname; ADD COLUMN score integer.
        var v2 = Table("people", 2, Key("tenant", "character varying(10)", 1), Key("id", "bigint", 2), Column("name", "text", 3), Column("nickname", "text", 5), Column("score", "integer", 6));
        var next = new ChangeBatchBuilder(v2, builder.NextPosition.Lsn).Insert("t", "2", "bob", "bobby", "7").Update("t", "1", "alice", "ali", null);
        await target.Sink.ApplyAsync(next.Build(), SinkTarget.SinkName, 1);

        (await target.RowsAsync(ColumnsSql)).ShouldBe([
            "tenant|character varying(10)|True", "id|bigint|True", "name|text|False", "legacy|integer|False", "nickname|text|False", "score|integer|False"]);
        (await target.RowsAsync("SELECT id, name, legacy, nickname, score FROM public.people ORDER BY id")).ShouldBe(["1|alice|42|ali|∅", "2|bob|∅|bobby|7"]);
    }

    [Fact]
    public async Task A_dropped_column_is_dropped_when_configured_so()
    {
        await using var target = await SinkTarget.CreateAsync(o => o.DroppedColumns = DroppedColumnPolicy.Drop);
        var builder = new ChangeBatchBuilder(s_v1).Insert("t", "1", "alice", "42", "al");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        var v2 = Table("people", 2, Key("tenant", "character varying(10)", 1), Key("id", "bigint", 2), Column("name", "text", 3), Column("nick", "text", 5));
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(v2, builder.NextPosition.Lsn).Insert("t", "2", "bob", "b").Build(), SinkTarget.SinkName, 1);

        (await target.RowsAsync("SELECT * FROM public.people ORDER BY id")).ShouldBe(["t|1|alice|al", "t|2|bob|b"]);
    }

    [Fact]
    public async Task A_widening_type_change_is_applied_and_an_impossible_one_raises_naming_table_column_and_types()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_v1).Insert("t", "1", "alice", "42", "al");
        var first = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        var widened = Table("people", 2, Key("tenant", "character varying(20)", 1), Key("id", "bigint", 2), Column("name", "text", 3), Column("legacy", "numeric(30,2)", 4), Column("nick", "text", 5));
        var wide = new ChangeBatchBuilder(widened, builder.NextPosition.Lsn).Insert("tenant-long", "2", "bob", "12345678901234567890.25", "b");
        var second = await target.Sink.ApplyAsync(wide.Build(), SinkTarget.SinkName, 1);
        (await target.RowsAsync("SELECT tenant, id, legacy FROM public.people ORDER BY id")).ShouldBe(["t|1|42.00", "tenant-long|2|12345678901234567890.25"]);

        var impossible = Table("people", 3, Key("tenant", "character varying(20)", 1), Key("id", "bigint", 2), Column("name", "integer", 3), Column("legacy", "numeric(30,2)", 4), Column("nick", "text", 5));
        var bad = new ChangeBatchBuilder(impossible, wide.NextPosition.Lsn).Insert("t", "3", "3", "1", "c");
        var error = await Should.ThrowAsync<IncompatibleColumnTypeChangeException>(() => target.Sink.ApplyAsync(bad.Build(), SinkTarget.SinkName, 1));

        error.Table.ShouldBe(new TableName("public", "people"));
        (error.Column, error.OldType, error.NewType).ShouldBe(("name", "text", "integer"));
        error.Message.ShouldContain("public.people");
        (await target.Database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.people'::regclass AND attname = 'name'")).ShouldBe("text");
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.people")).ShouldBe(2);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_v1.Table))!.Position.ShouldBe(second);
        second.ShouldBeGreaterThan(first);
    }
}
