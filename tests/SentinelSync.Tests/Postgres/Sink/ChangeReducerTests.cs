using System.Text;
using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Postgres.Sink;

public sealed class ChangeReducerTests
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"), Column("body", "text"));

    private static string Show(ColumnValue[] row) => string.Join("|", row.Select(v => v.ToString()));

    [Fact]
    public void Two_tables_of_the_same_shape_reduced_together_keep_a_segment_each()
    {
        // One transaction over several tables (SinkApplyGroup) reduces their changes in one pass.
        var other = s_items with { Table = new TableName("public", "other") };
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Changes
            .Concat(new ChangeBatchBuilder(other, 0x2000).Insert("1", "b", "y").Changes);

        var segments = ChangeReducer.Reduce(changes);

        segments.Select(s => s.Schema.Table.Name).ShouldBe(["items", "other"]);
        segments.Select(s => Show(s.Upserts.ShouldHaveSingleItem())).ShouldBe(["1|a|x", "1|b|y"]);
    }

    [Fact]
    public void The_last_change_of_a_key_wins_and_keys_keep_first_touch_order()
    {
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Update("1", "a2", "x2").Changes;

        var segment = ChangeReducer.Reduce(changes).ShouldHaveSingleItem();

        segment.Upserts.Select(Show).ShouldBe(["1|a2|x2", "2|b|y"]);
        segment.Deletes.ShouldBeEmpty();
    }

    [Fact]
    public void Insert_update_delete_of_one_key_nets_out_to_a_delete()
    {
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Update("1", "b", ColumnValue.Unchanged).Delete("1").Changes;

        var segment = ChangeReducer.Reduce(changes).ShouldHaveSingleItem();

        segment.Upserts.ShouldBeEmpty();
        segment.Deletes.Select(Show).ShouldBe(["1|NULL|NULL"]);
    }

    [Fact]
    public void An_unchanged_column_takes_the_value_of_an_earlier_change_in_the_batch()
    {
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "big").Update("1", "b", ColumnValue.Unchanged).Changes;

        ChangeReducer.Reduce(changes).ShouldHaveSingleItem().Upserts.Select(Show).ShouldBe(["1|b|big"]);
    }

    [Fact]
    public void An_unchanged_column_without_an_earlier_value_stays_unchanged()
    {
        var changes = new ChangeBatchBuilder(s_items).Update("1", "b", ColumnValue.Unchanged).Update("1", "c", ColumnValue.Unchanged).Changes;

        ChangeReducer.Reduce(changes).ShouldHaveSingleItem().Upserts.Select(Show).ShouldBe(["1|c|(unchanged)"]);
    }

    [Fact]
    public void A_key_change_deletes_the_old_key_and_upserts_the_new_one()
    {
        var changes = new ChangeBatchBuilder(s_items).UpdateKey(["1"], "5", "a", "x").Changes;

        var segment = ChangeReducer.Reduce(changes).ShouldHaveSingleItem();

        segment.Deletes.Select(Show).ShouldBe(["1|NULL|NULL"]);
        segment.Upserts.Select(Show).ShouldBe(["5|a|x"]);
        segment.Move.ShouldBeNull();
    }

    [Fact]
    public void A_key_change_with_unknown_unchanged_columns_becomes_a_move_in_a_new_segment()
    {
        var changes = new ChangeBatchBuilder(s_items)
            .Update("1", "a", ColumnValue.Unchanged)
            .UpdateKey(["1"], "5", "b", ColumnValue.Unchanged)
            .Update("5", "c", ColumnValue.Unchanged)
            .Changes;

        var segments = ChangeReducer.Reduce(changes);

        segments.Count.ShouldBe(2);
        segments[0].Upserts.Select(Show).ShouldBe(["1|a|(unchanged)"]);
        segments[1].Move.ShouldNotBeNull();
        Show(segments[1].Move!.OldRow).ShouldBe("1|NULL|NULL");
        Show(segments[1].Move!.NewRow).ShouldBe("5|b|(unchanged)");
        segments[1].Upserts.Select(Show).ShouldBe(["5|c|(unchanged)"]);
    }

    [Fact]
    public void A_truncate_discards_earlier_changes_of_the_segment()
    {
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Delete("2").Truncate().Insert("3", "c", "z").Changes;

        var segment = ChangeReducer.Reduce(changes).ShouldHaveSingleItem();

        segment.Truncate.ShouldBeTrue();
        segment.Deletes.ShouldBeEmpty();
        segment.Upserts.Select(Show).ShouldBe(["3|c|z"]);
    }

    [Fact]
    public void A_new_schema_version_starts_a_new_segment()
    {
        var v2 = Table("items", 2, Key("id", "integer"), Column("name", "text"), Column("body", "text"), Column("extra", "integer"));
        var changes = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").WithSchema(v2).Update("1", "b", "y", "7").Changes;

        var segments = ChangeReducer.Reduce(changes);

        segments.Select(s => s.Schema.Version).ShouldBe([1, 2]);
        segments[1].Upserts.Select(Show).ShouldBe(["1|b|y|7"]);
    }

    [Fact]
    public void Keyless_tables_take_inserts_and_refuse_updates_naming_the_table()
    {
        var log = Table("log", 1, Column("at", "timestamp with time zone"), Column("line", "text"));
        var builder = new ChangeBatchBuilder(log).Insert("2024-01-01 00:00:00+00", "a").Insert("2024-01-01 00:00:00+00", "a");

        ChangeReducer.Reduce(builder.Changes).ShouldHaveSingleItem().Inserts.Count.ShouldBe(2);

        var error = Should.Throw<KeylessTableChangeException>(() => ChangeReducer.Reduce(builder.Update("x", "y").Changes));
        error.Message.ShouldContain("public.log");
        error.Message.ShouldContain("primary key");
    }

    [Fact]
    public void Copy_text_escapes_backslash_tab_and_line_breaks_and_writes_NULL_and_unchanged_as_backslash_N()
    {
        var line = new StringBuilder();
        PostgresTableWriter.AppendCopyText(line, ColumnValue.Of("a\\b\tc\nd\re"));
        line.Append('|');
        PostgresTableWriter.AppendCopyText(line, ColumnValue.Null);
        line.Append('|');
        PostgresTableWriter.AppendCopyText(line, ColumnValue.Unchanged);

        line.ToString().ShouldBe("a\\\\b\\tc\\nd\\re|\\N|\\N");
    }

    [Fact]
    public void Copy_text_is_encoded_as_UTF_8_even_where_a_chunk_of_the_builder_splits_a_surrogate_pair()
    {
        // Capacity 2: "a" and the pair's first half fill the first chunk, its second half starts the next one.
        const string expected = "a\U0001F600 \u00FC\t\u20AC";
        var text = new StringBuilder(2).Append('a').Append(expected[1..]);
        var chunks = new List<int>();
        foreach (var chunk in text.GetChunks())
        {
            chunks.Add(chunk.Length);
        }

        chunks.ShouldBe([2, 5], "the pair is split across chunks");
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];

        var length = PostgresTableWriter.EncodeUtf8(text, bytes);

        bytes[..length].ShouldBe(Encoding.UTF8.GetBytes(expected));
    }
}
