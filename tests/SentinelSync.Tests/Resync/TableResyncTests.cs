using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Resync;
using SentinelSync.Testing;

namespace SentinelSync.Tests.Resync;

/// <summary>
/// The stream side of a table resync: which rows of a chunk survive to its High mark, where they land, and
/// what a resync refuses. The copy side (Postgres) is covered by the pipeline tests.
/// </summary>
public sealed class TableResyncTests
{
    private static readonly TableSchema s_items = ChangeBatchBuilder.Table("items", 1, ChangeBatchBuilder.Key("id", "bigint"), ChangeBatchBuilder.Column("name", "text"));
    private static readonly TableName s_table = s_items.Table;

    [Fact]
    public void Rows_a_streamed_change_touched_between_the_marks_are_left_to_the_stream_and_the_rest_land_at_the_high_mark()
    {
        var resync = Started();
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items).ShouldBeNull();
        var pushed = resync.Offer(0, s_items, [Row("1", "a"), Row("2", "b"), Row("3", "c"), Row("4", "d")]);

        // Between the marks the stream updates 2, moves 3 to 30 and deletes 4; a change of another table does not count.
        resync.Observe(new ChangeBatchBuilder(s_items).Update("2", "b2").UpdateKey(["3"], "30", "c").Delete("4").Build());
        resync.Observe(new ChangeBatchBuilder(ChangeBatchBuilder.Table("other", 1, ChangeBatchBuilder.Key("id", "bigint"))).Insert("1").Build());

        var batch = resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items)!;
        pushed.IsCompletedSuccessfully.ShouldBeTrue();
        batch.Table.ShouldBe(s_table);
        batch.Changes.Select(c => c.Values[0].Text).ShouldBe(["1"]);
        batch.Changes[0].Kind.ShouldBe(ChangeKind.Snapshot);
        batch.Changes[0].Position.ShouldBe(new Position(0x200, 1));
        batch.Through.ShouldBe(new Position(0x200, 1));
        resync.LastPushed.ShouldBe(batch.Through);
        resync.Status.RowsCopied.ShouldBe(4);
        resync.Status.Chunks.ShouldBe(1);
    }

    [Fact]
    public void Changes_before_the_low_mark_do_not_filter_the_chunk_and_rows_keep_their_order()
    {
        var resync = Started();
        resync.Observe(new ChangeBatchBuilder(s_items).Update("1", "old").Build());
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items);
        resync.Offer(0, s_items, [Row("1", "a"), Row("2", "b"), Row("3", "c")]);

        var batch = resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items)!;
        batch.Changes.Select(c => (c.Values[0].Text, c.Position.Ordinal)).ShouldBe([("1", 1L), ("2", 2L), ("3", 3L)]);
    }

    [Fact]
    public void A_truncate_streamed_between_the_marks_drops_the_whole_chunk()
    {
        var resync = Started();
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items);
        var pushed = resync.Offer(0, s_items, [Row("1", "a"), Row("2", "b")]);
        resync.Observe(new ChangeBatchBuilder(s_items).Truncate().Build());

        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items).ShouldBeNull();
        pushed.IsCompletedSuccessfully.ShouldBeTrue();
        resync.Status.Chunks.ShouldBe(1);
    }

    [Fact]
    public void The_start_mark_truncates_the_destination_there()
    {
        var resync = Started();
        var batch = resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Start), 0x50, s_items)!;
        batch.Changes.ShouldHaveSingleItem().Kind.ShouldBe(ChangeKind.Truncate);
        batch.Through.ShouldBe(new Position(0x50, 1));
    }

    [Fact]
    public void Marks_out_of_turn_are_ignored()
    {
        var resync = Started();

        // A High mark without its Low mark (the Low of an interrupted run), or of another chunk, takes nothing.
        resync.Offer(0, s_items, [Row("1", "a")]);
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items).ShouldBeNull();
        resync.OnWatermark(Mark(resync, 1, ResyncWatermarkKind.Low), 0x300, s_items).ShouldBeNull();
        resync.OnWatermark(Mark(resync, 1, ResyncWatermarkKind.High), 0x400, s_items).ShouldBeNull();
        resync.Status.Chunks.ShouldBe(0);

        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x500, s_items);
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x600, s_items)!.Changes.Count.ShouldBe(1);

        // Chunk 0 is taken: a second High mark for it changes nothing.
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x700, s_items).ShouldBeNull();
        resync.Status.Chunks.ShouldBe(1);
    }

    [Fact]
    public async Task A_chunk_read_under_another_shape_than_the_stream_knows_fails_the_resync_instead_of_landing()
    {
        var resync = Started();
        var widened = s_items with { Columns = [.. s_items.Columns, ChangeBatchBuilder.Column("note", "text")] };
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items);
        var pushed = resync.Offer(0, widened, [Row("1", "a", "n")]);

        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items).ShouldBeNull();
        var error = await Should.ThrowAsync<ResyncRejectedException>(pushed);
        error.Message.ShouldContain("public.items");
        error.Message.ShouldContain("note text");
    }

    [Fact]
    public void Watermarks_round_trip_and_foreign_messages_do_not_parse()
    {
        var mark = new ResyncWatermark("slot_1", "ab12cd", 17, ResyncWatermarkKind.High);
        ResyncWatermark.TryParse(mark.Content, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(mark);

        foreach (var foreign in new[] { "", "slot/id/1", "slot/id/x/H", "slot/id/1/Q", "slot/id/-1/L", "slot/id/1/HH" })
        {
            ResyncWatermark.TryParse(foreign, out _).ShouldBeFalse(foreign);
        }
    }

    [Theory]
    [InlineData("42", "bigint", "E'42'::bigint")]
    [InlineData("O'Brien", "text", "E'O''Brien'::text")]
    [InlineData("back\\slash", "character varying(20)", "E'back\\\\slash'::character varying(20)")]
    public void Chunk_keys_go_into_the_query_as_escaped_typed_literals(string text, string type, string literal) =>
        PostgresChunkReader.Literal(ColumnValue.Of(text), type).ShouldBe(literal);

    private static TableResync Started()
    {
        var resync = new TableResync("p", "slot_1", s_table);
        resync.Begin(s_items);
        return resync;
    }

    private static ResyncWatermark Mark(TableResync resync, int chunk, ResyncWatermarkKind kind) => new("slot_1", resync.Id, chunk, kind);

    private static ColumnValue[] Row(params string[] values) => [.. values.Select(ColumnValue.Of)];
}
