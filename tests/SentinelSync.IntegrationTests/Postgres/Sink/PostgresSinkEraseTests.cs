using SentinelSync.Replication;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// Erasure at the Postgres sink against the real destination: the key's row goes (a composite key whose values the
/// destination reads with its own column types), nothing else; an older epoch is fenced; the offset does not move; a
/// table not there yet erases nothing.
/// </summary>
public sealed class PostgresSinkEraseTests
{
    private static readonly TableSchema s_accounts = Table("accounts", 1, Key("id", "bigint"), Key("opened", "date"), Column("email", "text"));

    [Fact]
    public async Task Erase_deletes_the_keys_row_only_is_fenced_by_a_newer_epoch_and_leaves_the_offset()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_accounts).Insert("7", "2024-01-31", "a@example.com").Insert("7", "2024-02-01", "b@example.com");
        var applied = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, epoch: 2);

        await Should.ThrowAsync<SinkFencedException>(() => target.Sink.EraseAsync(Delete("7", "2024-01-31"), SinkTarget.SinkName, epoch: 1));
        (await target.RowsAsync("SELECT count(*) FROM public.accounts")).ShouldBe(["2"]);

        var erased = await target.Sink.EraseAsync(Delete("7", "2024-01-31"), SinkTarget.SinkName, epoch: 2);

        erased.Count.ShouldBe(1);
        erased.Unit.ShouldBe("rows");
        (await target.RowsAsync("SELECT id, opened::text, email FROM public.accounts")).ShouldBe(["7|2024-02-01|b@example.com"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_accounts.Table))!.Position.ShouldBe(applied);
        (await target.Sink.EraseAsync(Delete("7", "2024-01-31"), SinkTarget.SinkName, epoch: 2)).Count.ShouldBe(0, "erasing twice is harmless");

        var missing = Table("not_there", 1, Key("id", "integer"));
        (await target.Sink.EraseAsync(new RowChange(ChangeKind.Delete, default, missing, [], [ColumnValue.Of("1")]), SinkTarget.SinkName, epoch: 2)).Count.ShouldBe(0);
    }

    private static RowChange Delete(string id, string opened) =>
        new(ChangeKind.Delete, default, s_accounts, [], [ColumnValue.Of(id), ColumnValue.Of(opened), ColumnValue.Null]);
}
