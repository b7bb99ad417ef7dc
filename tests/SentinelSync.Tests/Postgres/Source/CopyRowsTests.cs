using SentinelSync.Replication;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class CopyRowsTests
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"));

    [Fact]
    public void Expanding_gives_each_line_as_a_snapshot_change_with_consecutive_positions()
    {
        var copy = CopyRows.FromText(s_items, "7\ta\\tb\n8\t\\N\n", 2, new Position(0x40, 100));
        var batch = new ChangeBatch(s_items.Table, [], copy.Last) { Copy = copy };

        batch.Count.ShouldBe(2);
        batch.First.ShouldBe(new Position(0x40, 100));
        var expanded = batch.Expanded();
        expanded.Copy.ShouldBeNull();
        expanded.Through.ShouldBe(new Position(0x40, 101));
        expanded.Changes.Select(c => (c.Kind, c.Position.Ordinal, string.Join("|", c.Values))).ShouldBe(
            [(ChangeKind.Snapshot, 100L, "7|a\tb"), (ChangeKind.Snapshot, 101L, "8|NULL")]);
    }

    [Fact]
    public void Text_with_fewer_lines_than_its_count_is_refused_naming_the_table()
    {
        var copy = CopyRows.FromText(s_items, "7\ta\n", 2, new Position(0x40, 1));

        Should.Throw<FormatException>(() => copy.Expand().ToList()).Message.ShouldContain("public.items");
    }
}
