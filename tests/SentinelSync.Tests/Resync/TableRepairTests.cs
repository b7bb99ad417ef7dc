using SentinelSync.Replication;
using SentinelSync.Replication.Resync;
using SentinelSync.Testing;

namespace SentinelSync.Tests.Resync;

/// <summary>
/// The stream side of a reconcile repair: the keys' rows and deletes land at the Low mark, in stream order before
/// the changes held meanwhile, and nothing else of the table is touched.
/// </summary>
public sealed class TableRepairTests
{
    private static readonly TableSchema s_items = ChangeBatchBuilder.Table("items", 1, ChangeBatchBuilder.Key("id", "bigint"), ChangeBatchBuilder.Column("name", "text"));

    [Fact]
    public void Found_keys_are_upserted_and_vanished_keys_deleted_at_the_low_mark_before_the_held_changes()
    {
        var repair = new TableRepair("p", "slot_1", s_items.Table, [["1"], ["2"], ["3"]]);
        repair.OnWatermark(Mark(repair, ResyncWatermarkKind.Low), 0x100, s_items).ShouldBeEmpty();
        repair.ConfirmBound.ShouldBe(0x100UL);

        var held = new ChangeBatchBuilder(s_items, 0x150).Update("1", ColumnValue.Of("newer")).Build();
        repair.Hold(held).ShouldBeTrue();
        var pushed = repair.Offer(s_items, [[ColumnValue.Of("1"), ColumnValue.Of("a")], [ColumnValue.Of("3"), ColumnValue.Of("c")]], [1]);

        var batches = repair.OnWatermark(Mark(repair, ResyncWatermarkKind.High), 0x200, s_items);
        repair.Release();
        pushed.IsCompletedSuccessfully.ShouldBeTrue();
        batches.Count.ShouldBe(2);
        batches[0].Changes.Select(c => (c.Kind, c.Position)).ShouldBe(
            [(ChangeKind.Snapshot, new Position(0x100, 1)), (ChangeKind.Snapshot, new Position(0x100, 2)), (ChangeKind.Delete, new Position(0x100, 3))]);
        var delete = batches[0].Changes[2];
        delete.Values.ShouldBeEmpty();
        delete.OldKey.ShouldBe([ColumnValue.Of("2"), ColumnValue.Null]);
        batches[1].ShouldBeSameAs(held);
        repair.LastPushed.ShouldBe(new Position(0x100, 3));
        repair.Status.Upserted.ShouldBe(2);
        repair.Status.Deleted.ShouldBe(1);
        repair.ConfirmBound.ShouldBeNull();

        // One window only: a later Low mark of the same run opens nothing.
        repair.OnWatermark(Mark(repair, ResyncWatermarkKind.Low), 0x300, s_items).ShouldBeEmpty();
        repair.Hold(held).ShouldBeFalse();
    }

    [Fact]
    public async Task Rows_read_under_another_shape_are_refused_but_the_held_changes_still_flow()
    {
        var repair = new TableRepair("p", "slot_1", s_items.Table, [["1"]]);
        repair.OnWatermark(Mark(repair, ResyncWatermarkKind.Low), 0x100, s_items);
        var held = new ChangeBatchBuilder(s_items, 0x150).Insert("9", "i").Build();
        repair.Hold(held);
        var widened = ChangeBatchBuilder.Table("items", 2, ChangeBatchBuilder.Key("id", "bigint"), ChangeBatchBuilder.Column("name", "text"), ChangeBatchBuilder.Column("extra", "text"));
        var pushed = repair.Offer(widened, [[ColumnValue.Of("1"), ColumnValue.Of("a"), ColumnValue.Null]], []);

        repair.OnWatermark(Mark(repair, ResyncWatermarkKind.High), 0x200, s_items).ShouldBe([held]);
        (await Should.ThrowAsync<ResyncRejectedException>(pushed)).Message.ShouldContain("changed during its repair");
    }

    private static ResyncWatermark Mark(TableRepair repair, ResyncWatermarkKind kind) => new("slot_1", repair.Id, 0, kind);
}
