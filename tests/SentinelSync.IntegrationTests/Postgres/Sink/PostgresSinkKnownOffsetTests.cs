using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// A sink that committed a table's last batch itself sends the next one without reading its offset row first (one
/// round trip for small batches). These cases make that assumption false behind its back: it must still fence, skip
/// and roll back exactly as the full path does.
/// </summary>
public sealed class PostgresSinkKnownOffsetTests
{
    private const string Items = "SELECT id, name, body FROM public.items ORDER BY id";
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"), Column("body", "text"));

    [Fact]
    public async Task A_sink_that_knew_its_offset_is_fenced_after_another_activation_took_the_table_over()
    {
        await using var target = await SinkTarget.CreateAsync();
        await using var successor = new PostgresSink(new PostgresSinkOptions { Connection = target.Database.ConnectionString });
        var first = new ChangeBatchBuilder(s_items).Insert("1", "a", "x");
        await target.Sink.ApplyAsync(first.Build(), SinkTarget.SinkName, epoch: 1);
        var takeover = new ChangeBatchBuilder(s_items, first.NextPosition.Lsn).Update("1", "a2", "x2");
        var taken = await successor.ApplyAsync(takeover.Build(), SinkTarget.SinkName, epoch: 2);

        var stale = new ChangeBatchBuilder(s_items, takeover.NextPosition.Lsn).Insert("2", "zombie", "z").Delete("1");
        var error = await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyAsync(stale.Build(), SinkTarget.SinkName, epoch: 1));

        error.CurrentEpoch.ShouldBe(2);
        (await target.RowsAsync(Items)).ShouldBe(["1|a2|x2"]);
        var offset = (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!;
        (offset.Position, offset.Epoch).ShouldBe((taken, 2L));
    }

    [Fact]
    public async Task A_batch_the_destination_refuses_leaves_rows_and_offset_as_they_were()
    {
        await using var target = await SinkTarget.CreateAsync();
        var first = new ChangeBatchBuilder(s_items).Insert("1", "a", "x");
        var applied = await target.Sink.ApplyAsync(first.Build(), SinkTarget.SinkName, epoch: 1);

        // Small and streamed: sent as one batch of statements with the offset update first; the bad key fails it.
        var refused = new ChangeBatchBuilder(s_items, first.NextPosition.Lsn).Insert("2", "b", "y").Update("1", "a2", "x2").Insert("not a number", "c", "z");
        await Should.ThrowAsync<Npgsql.PostgresException>(() => target.Sink.ApplyAsync(refused.Build(), SinkTarget.SinkName, epoch: 1));

        (await target.RowsAsync(Items)).ShouldBe(["1|a|x"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(applied);

        var retried = await target.Sink.ApplyAsync(refused.Build(0, 2), SinkTarget.SinkName, epoch: 1);
        retried.ShouldBe(refused.Changes[1].Position);
        (await target.RowsAsync(Items)).ShouldBe(["1|a2|x2", "2|b|y"]);
    }

    [Fact]
    public async Task An_offset_row_moved_back_by_hand_is_read_again_and_what_it_no_longer_covers_is_applied()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Insert("3", "c", "z");
        await target.Sink.ApplyAsync(builder.Build(0, 2), SinkTarget.SinkName, epoch: 1);
        await target.Database.ExecuteAsync("DELETE FROM public.items");
        await target.Database.ExecuteAsync("UPDATE \"_sentinel\".offsets SET position_lsn = '0/0', position_ordinal = 0");

        var applied = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, epoch: 1);

        applied.ShouldBe(builder.Changes[^1].Position);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b|y", "3|c|z"]);
    }
}
