using Microsoft.Extensions.Logging.Abstractions;
using SentinelSync.Replication;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Pipelines;

public sealed class StoppedTablesTests
{
    private static readonly TableSchema s_numbered = Table("t", 1, Key("id", "integer", 1), Column("a", "text", 2));
    private static readonly TableSchema s_unknown = Table("t", 2, Key("id", "integer"), Column("b", "text"));

    [Fact]
    public void A_schema_without_attribute_numbers_stops_its_table_until_its_resync_releases_it()
    {
        var stopped = new StoppedTables("p", NullLogger.Instance);
        var known = new ChangeBatchBuilder(s_numbered, 0x100).Insert("1", "x");
        stopped.Hold(known.Build()).ShouldBeFalse();
        stopped.ConfirmBound.ShouldBeNull();

        var unknown = new ChangeBatchBuilder(s_unknown, 0x200).Insert("2", "y");
        stopped.Hold(unknown.Build()).ShouldBeTrue();
        stopped.IsStopped(s_unknown.Table).ShouldBeTrue();
        stopped.ConfirmBound.ShouldBe(0x200UL - 1, "the slot keeps the held change");

        // Later batches of the table wait too, even with numbers; other tables flow.
        stopped.Hold(new ChangeBatchBuilder(s_numbered, 0x300).Insert("3", "z").Build()).ShouldBeTrue();
        stopped.Hold(new ChangeBatchBuilder(Table("other", 1, Key("id", "integer", 1)), 0x300).Insert("1").Build()).ShouldBeFalse();

        stopped.Release(s_unknown.Table);
        stopped.IsStopped(s_unknown.Table).ShouldBeFalse();
        stopped.ConfirmBound.ShouldBeNull();
    }
}
