using Npgsql;
using SentinelSync.Replication;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>Snapshot rows copied unparsed (<see cref="CopyRows"/>) into the Postgres sink, several copies at once.</summary>
public sealed class PostgresSinkCopyTests
{
    private const string Items = "SELECT id, name, body FROM public.items ORDER BY id";
    private const string HasPrimaryKey = "SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = to_regclass('public.items') AND indisprimary)";
    private const ulong ConsistentPoint = 0x5000;
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"), Column("body", "text"));

    [Fact]
    public async Task Copies_load_a_table_created_without_its_key_and_the_end_of_the_snapshot_builds_it()
    {
        await using var target = await SinkTarget.CreateAsync();

        // Escapes as the source's COPY writes them: tab, newline and backslash inside values, \N for NULL.
        var first = Copy(1, "1\ta\\tb\tx\n2\tline\\nbreak\t\\N\n");
        var second = Copy(3, "3\tback\\\\slash\ty\n4\td\tw\n");
        await Task.WhenAll(
            target.Sink.ApplyCopyAsync(first, SinkTarget.SinkName, epoch: 1),
            target.Sink.ApplyCopyAsync(second, SinkTarget.SinkName, epoch: 1));

        (await target.RowsAsync(Items)).ShouldBe(["1|a\tb|x", "2|line\nbreak|∅", "3|back\\slash|y", "4|d|w"]);
        (await target.Database.ScalarAsync<bool>(HasPrimaryKey)).ShouldBeFalse("the key is built once the load ends");

        var end = new ChangeBatch(s_items.Table, [], new Position(ConsistentPoint - 1, 5)) { EndsSnapshot = true };
        (await target.Sink.ApplyAsync(end, SinkTarget.SinkName, epoch: 1)).ShouldBe(end.Through);
        (await target.Database.ScalarAsync<bool>(HasPrimaryKey)).ShouldBeTrue();
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM \"_sentinel\".pending_keys")).ShouldBe(0);
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM \"_sentinel\".snapshot_copies")).ShouldBe(0);

        // Streamed changes meet the key: an insert of an existing key updates it.
        var stream = new ChangeBatchBuilder(s_items, ConsistentPoint).Insert("4", "d2", "w2").Update("1", "a2", "x2");
        await target.Sink.ApplyAsync(stream.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a2|x2", "2|line\nbreak|∅", "3|back\\slash|y", "4|d2|w2"]);
    }

    [Fact]
    public async Task Copies_send_multi_byte_utf8_text_on_byte_for_byte_and_merged_copies_keep_every_row()
    {
        await using var target = await SinkTarget.CreateAsync();
        var first = Copy(1, "1\té 日本\t🎉\n");
        var second = Copy(2, "2\tÅngström\tΩ\\tω\n3\t\\N\tz\n");

        // What the sink grain sends when copies queue behind each other: one copy of both parts.
        var merged = CopyRows.Join([first.Copy!, second.Copy!]);
        merged.Count.ShouldBe(3);
        merged.Last.ShouldBe(second.Copy!.Last);
        await target.Sink.ApplyCopyAsync(new ChangeBatch(s_items.Table, [], merged.Last) { Copy = merged }, SinkTarget.SinkName, epoch: 1);

        (await target.RowsAsync(Items)).ShouldBe(["1|é 日本|🎉", "2|Ångström|Ω\tω", "3|∅|z"]);
        (await target.Database.ScalarAsync<int>("SELECT octet_length(name) FROM public.items WHERE id = 1")).ShouldBe(9, "é is 2 bytes, 日 and 本 3 each");
    }

    [Fact]
    public async Task A_copy_applied_again_after_its_commit_changes_nothing()
    {
        await using var target = await SinkTarget.CreateAsync();
        var copy = Copy(1, "1\ta\tx\n2\tb\ty\n");
        await target.Sink.ApplyCopyAsync(copy, SinkTarget.SinkName, epoch: 1);
        await target.Sink.ApplyCopyAsync(copy, SinkTarget.SinkName, epoch: 1);

        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b|y"]);
    }

    [Fact]
    public async Task A_streamed_change_into_a_table_whose_key_is_still_pending_builds_the_key_first()
    {
        await using var target = await SinkTarget.CreateAsync();
        await target.Sink.ApplyCopyAsync(Copy(1, "1\ta\tx\n"), SinkTarget.SinkName, epoch: 1);

        var stream = new ChangeBatchBuilder(s_items, ConsistentPoint).Insert("1", "a2", "x2").Insert("2", "b", "y");
        await target.Sink.ApplyAsync(stream.Build(), SinkTarget.SinkName, epoch: 1);

        (await target.Database.ScalarAsync<bool>(HasPrimaryKey)).ShouldBeTrue();
        (await target.RowsAsync(Items)).ShouldBe(["1|a2|x2", "2|b|y"]);
    }

    [Fact]
    public async Task A_copy_of_an_older_activation_is_refused_once_a_newer_one_wrote_and_writes_nothing()
    {
        await using var target = await SinkTarget.CreateAsync();
        await target.Sink.ApplyCopyAsync(Copy(1, "1\ta\tx\n"), SinkTarget.SinkName, epoch: 1);
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items, 0x100).Snapshot("2", "b", "y").Build(), SinkTarget.SinkName, epoch: 2);

        await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyCopyAsync(Copy(3, "3\tc\tz\n"), SinkTarget.SinkName, epoch: 1));
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b|y"]);
    }

    [Fact]
    public async Task A_copy_meeting_a_key_already_at_the_destination_fails_for_good_and_writes_nothing()
    {
        await using var target = await SinkTarget.CreateAsync();
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(s_items, 0x100).Insert("1", "old", "old").Build(), SinkTarget.SinkName, epoch: 1);

        var error = await Should.ThrowAsync<PostgresException>(() => target.Sink.ApplyCopyAsync(Copy(1, "1\tnew\tnew\n2\tb\ty\n"), SinkTarget.SinkName, epoch: 1));
        error.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        target.Sink.IsTransient(error).ShouldBeFalse("the sink grain then applies the rows as changes, which upsert");
        (await target.RowsAsync(Items)).ShouldBe(["1|old|old"]);
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM \"_sentinel\".snapshot_copies")).ShouldBe(0);
    }

    private static ChangeBatch Copy(long firstRow, string text)
    {
        var rows = CopyRows.FromText(s_items, text, text.Count(c => c == '\n'), new Position(ConsistentPoint - 1, firstRow));
        return new ChangeBatch(s_items.Table, [], rows.Last) { Copy = rows };
    }
}
