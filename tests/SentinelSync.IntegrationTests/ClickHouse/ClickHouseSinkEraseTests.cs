using SentinelSync.Replication;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// Erasure at the ClickHouse sink against the real 18.16 server: every version of the key's row (tombstone included)
/// is removed by a delete mutation that has finished when the call returns; other keys stay; an older epoch is fenced
/// before anything reaches ClickHouse; a second erasure finds nothing.
/// </summary>
public sealed class ClickHouseSinkEraseTests
{
    private static readonly TableSchema s_accounts = Table("accounts", 1, Key("id", "bigint", 1), Key("region", "text", 2), Column("email", "text", 3));

    [Fact]
    public async Task Erase_removes_every_version_of_a_composite_key_and_nothing_else_and_an_older_epoch_is_fenced()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_accounts).Insert("7", "eu", "a@example.com").Insert("7", "us", "b@example.com").Insert("8", "eu", "c@example.com");
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, epoch: 2);
        var second = new ChangeBatchBuilder(s_accounts, builder.NextPosition.Lsn).Update("7", "eu", "a2@example.com").Delete("7", "eu");
        var applied = await target.Sink.ApplyAsync(second.Build(), ClickHouseSinkTarget.SinkName, epoch: 2);
        var versions = await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM accounts WHERE id = 7 AND region = 'eu'");
        versions.ShouldBeGreaterThan(0, "the deleted row's versions are still stored");

        await Should.ThrowAsync<SinkFencedException>(() => target.Sink.EraseAsync(Delete("7", "eu"), ClickHouseSinkTarget.SinkName, epoch: 1));
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM accounts WHERE id = 7 AND region = 'eu'")).ShouldBe(versions, "the fenced erasure removed nothing");

        var erased = await target.Sink.EraseAsync(Delete("7", "eu"), ClickHouseSinkTarget.SinkName, epoch: 2);

        erased.Count.ShouldBe(versions);
        erased.Unit.ShouldBe("row versions");
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM accounts WHERE id = 7 AND region = 'eu'")).ShouldBe(0);
        (await target.ClickHouse.QueryAsync("SELECT id, region, email FROM accounts FINAL WHERE _deleted = 0 ORDER BY id, region FORMAT TabSeparated"))
            .ShouldBe("7\tus\tb@example.com\n8\teu\tc@example.com\n");
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_accounts.Table))!.Position.ShouldBe(applied);
        (await target.Sink.EraseAsync(Delete("7", "eu"), ClickHouseSinkTarget.SinkName, epoch: 2)).Count.ShouldBe(0);
    }

    private static RowChange Delete(string id, string region) =>
        new(ChangeKind.Delete, default, s_accounts, [], [ColumnValue.Of(id), ColumnValue.Of(region), ColumnValue.Null]);
}
