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
    public void The_chunk_lands_at_the_low_mark_and_the_changes_streamed_meanwhile_are_held_and_follow_it()
    {
        var resync = Started();
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items).ShouldBeEmpty();
        resync.ConfirmBound.ShouldBe(0x100UL);

        // Between the marks the stream updates 2 (only some columns: the chunk row may already include it) and
        // deletes 3; a change of another table is not held.
        var update = new ChangeBatchBuilder(s_items, 0x150).Update("2", ColumnValue.Unchanged).Build();
        var delete = new ChangeBatchBuilder(s_items, 0x160).Delete("3").Build();
        resync.Hold(update).ShouldBeTrue();
        resync.Hold(delete).ShouldBeTrue();
        resync.Hold(new ChangeBatchBuilder(ChangeBatchBuilder.Table("other", 1, ChangeBatchBuilder.Key("id", "bigint"))).Insert("1").Build()).ShouldBeFalse();
        var pushed = resync.Offer(0, s_items, [Row("1", "a"), Row("2", "b"), Row("3", "c")]);

        var batches = resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items);
        pushed.IsCompletedSuccessfully.ShouldBeTrue();
        batches.Count.ShouldBe(3);
        batches[0].Changes.Select(c => (c.Kind, c.Values[0].Text, c.Position)).ShouldBe(
            [(ChangeKind.Snapshot, "1", new Position(0x100, 1)), (ChangeKind.Snapshot, "2", new Position(0x100, 2)), (ChangeKind.Snapshot, "3", new Position(0x100, 3))]);
        batches[1].ShouldBeSameAs(update);
        batches[2].ShouldBeSameAs(delete);
        resync.LastPushed.ShouldBe(new Position(0x100, 3));
        resync.Status.RowsCopied.ShouldBe(3);
        resync.Status.Chunks.ShouldBe(1);

        // The slot stays held back until the batches are pushed; then nothing is held.
        resync.ConfirmBound.ShouldBe(0x100UL);
        resync.Release();
        resync.ConfirmBound.ShouldBeNull();
        resync.Hold(update).ShouldBeFalse();
    }

    [Fact]
    public void The_start_mark_truncates_the_destination_there()
    {
        var resync = Started();
        var batch = resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Start), 0x50, s_items).ShouldHaveSingleItem();
        batch.Changes.ShouldHaveSingleItem().Kind.ShouldBe(ChangeKind.Truncate);
        batch.Through.ShouldBe(new Position(0x50, 1));
    }

    [Fact]
    public void Marks_out_of_turn_are_ignored()
    {
        var resync = Started();

        // A High mark without its Low mark (the Low of an interrupted run), or of another chunk, takes nothing.
        resync.Offer(0, s_items, [Row("1", "a")]);
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items).ShouldBeEmpty();
        resync.OnWatermark(Mark(resync, 1, ResyncWatermarkKind.Low), 0x300, s_items).ShouldBeEmpty();
        resync.ConfirmBound.ShouldBeNull();
        resync.Status.Chunks.ShouldBe(0);

        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x500, s_items);
        resync.OnWatermark(Mark(resync, 1, ResyncWatermarkKind.High), 0x550, s_items).ShouldBeEmpty();
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x600, s_items).ShouldHaveSingleItem().Changes.Count.ShouldBe(1);
        resync.Release();

        // Chunk 0 is taken: a second High mark for it changes nothing.
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x700, s_items).ShouldBeEmpty();
        resync.Status.Chunks.ShouldBe(1);
    }

    [Fact]
    public async Task A_chunk_read_under_another_shape_than_the_stream_knows_fails_the_resync_but_the_held_changes_still_flow()
    {
        var resync = Started();
        var widened = s_items with { Columns = [.. s_items.Columns, ChangeBatchBuilder.Column("note", "text")] };
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items);
        var held = new ChangeBatchBuilder(s_items, 0x150).Insert("9", "i").Build();
        resync.Hold(held).ShouldBeTrue();
        var pushed = resync.Offer(0, widened, [Row("1", "a", "n")]);

        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.High), 0x200, s_items).ShouldBe([held]);
        var error = await Should.ThrowAsync<ResyncRejectedException>(pushed);
        error.Message.ShouldContain("public.items");
        error.Message.ShouldContain("note text");
    }

    [Fact]
    public void A_run_that_ends_with_its_window_open_gives_back_what_it_held()
    {
        var resync = Started();
        resync.OnWatermark(Mark(resync, 0, ResyncWatermarkKind.Low), 0x100, s_items);
        var held = new ChangeBatchBuilder(s_items, 0x150).Insert("9", "i").Build();
        resync.Hold(held);
        resync.TakeAbandoned().ShouldBeEmpty();

        resync.Finish("failed", "the source went away");
        resync.TakeAbandoned().ShouldBe([held]);
        resync.Release();
        resync.ConfirmBound.ShouldBeNull();
        resync.Hold(held).ShouldBeFalse();

        // A finished run opens no new window.
        resync.OnWatermark(Mark(resync, 1, ResyncWatermarkKind.Low), 0x300, s_items).ShouldBeEmpty();
        resync.ConfirmBound.ShouldBeNull();
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
