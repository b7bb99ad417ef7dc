using SentinelSync.Replication;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>Apply semantics of the ClickHouse sink against the real 18.16 server and the control database.</summary>
public sealed class ClickHouseSinkApplyTests
{
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer", 1), Column("name", "text", 2), Column("body", "text", 3));

    [Fact]
    public async Task The_table_is_a_replacing_merge_tree_on_the_version_ordered_by_the_key()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var schema = Table("typed", 1, Key("id", "bigint"), Key("code", "text"), Column("amount", "numeric(12,2)"), Column("at", "timestamp with time zone"), Column("tags", "text[]"));
        await target.Sink.EnsureTableAsync(schema);

        var columns = await target.ClickHouse.QueryAsync("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'typed' FORMAT TabSeparated");
        columns.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            "id\tInt64", "code\tString", "amount\tNullable(Decimal(12, 2))", "amount__text\tNullable(String)", "at\tNullable(DateTime(\\'UTC\\'))", "at__us\tNullable(Int64)",
            "tags\tArray(Nullable(String))", "tags__text\tNullable(String)", "_version\tUInt64", "_deleted\tUInt8"]);
        var engine = await target.ClickHouse.ScalarAsync<string>("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'typed'");
        engine.ShouldStartWith("ReplacingMergeTree(_version) ORDER BY (id, code)");
    }

    [Fact]
    public async Task Inserts_updates_deletes_and_truncate_are_visible_through_final_and_the_deleted_flag()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Insert("3", "c", "z");
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, epoch: 1);
        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["1\ta\tx", "2\tb\ty", "3\tc\tz"]);

        var second = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn).Update("2", "b2", null).Delete("3").Insert("4", "d", "w");
        var applied = await target.Sink.ApplyAsync(second.Build(), ClickHouseSinkTarget.SinkName, epoch: 1);
        applied.ShouldBe(second.Changes[^1].Position);
        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["1\ta\tx", "2\tb2\t\\N", "4\td\tw"]);
        (await target.ClickHouse.ScalarAsync<int>("SELECT _deleted FROM items FINAL WHERE id = 3")).ShouldBe(1);

        var third = new ChangeBatchBuilder(s_items, second.NextPosition.Lsn).Truncate().Insert("9", "z", "z");
        await target.Sink.ApplyAsync(third.Build(), ClickHouseSinkTarget.SinkName, epoch: 1);
        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["9\tz\tz"]);
    }

    [Fact]
    public async Task Replaying_a_batch_after_a_lost_offset_leaves_one_live_row_per_key_with_the_same_values()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Update("1", "a2", "x2").Delete("2").Insert("3", "c", "z");
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, 1);

        // As if the offset commit had failed after ClickHouse acknowledged: the whole batch comes again.
        await target.Control.ExecuteAsync("UPDATE sentinel.clickhouse_offsets SET lsn = '0/0', ordinal = 0");
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, 1);
        await target.Sink.ApplyAsync(builder.Build(0, 2), ClickHouseSinkTarget.SinkName, 1);

        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["1\ta2\tx2", "3\tc\tz"]);
        await target.ClickHouse.QueryAsync("OPTIMIZE TABLE items FINAL");
        (await target.ClickHouse.ScalarAsync<int>("SELECT count() FROM items")).ShouldBe(3);
        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["1\ta2\tx2", "3\tc\tz"]);
    }

    [Fact]
    public async Task The_offset_advances_only_after_the_insert_and_skips_what_it_covers()
    {
        // 'x' is no boolean in Postgres' text format: a value no mapping takes (there is no fallback for it).
        await using var target = await ClickHouseSinkTarget.CreateAsync(o => o.SourceTypeOverride = (_, c) => c.Name == "name" ? "boolean" : null);
        var bad = new ChangeBatchBuilder(s_items).Insert("1", "x", "x");
        await Should.ThrowAsync<ClickHouseValueException>(() => target.Sink.ApplyAsync(bad.Build(), ClickHouseSinkTarget.SinkName, 1));
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))?.Position.ShouldBe(Position.Zero);
        (await target.ClickHouse.ScalarAsync<int>("SELECT count() FROM items")).ShouldBe(0);

        var good = new ChangeBatchBuilder(s_items, 0x2000).Insert("1", "t", "x");
        var applied = await target.Sink.ApplyAsync(good.Build(), ClickHouseSinkTarget.SinkName, 1);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(applied);

        // Below the offset: nothing is inserted, the stored position is returned.
        (await target.Sink.ApplyAsync(bad.Build(), ClickHouseSinkTarget.SinkName, 1)).ShouldBe(applied);
        (await target.LiveRowsAsync("items", "id, name, body")).ShouldBe(["1\t1\tx"]);
    }

    [Fact]
    public async Task A_value_that_cannot_be_converted_fails_the_batch_with_nothing_inserted_even_in_a_keyless_table()
    {
        // 'x' is no boolean. The 5,000 rows before it fill several 64 KiB buffers: a body sent while it was written
        // left them in ClickHouse when the insert was abandoned at the bad value.
        await using var target = await ClickHouseSinkTarget.CreateAsync(o => o.SourceTypeOverride = (_, c) => c.Name == "flag" ? "boolean" : null);
        var events = Table("events", 1, Column("flag", "text", 1), Column("body", "text", 2));
        var batch = new ChangeBatchBuilder(events);
        for (var i = 0; i < 5_000; i++)
        {
            batch.Insert("t", new string('b', 100));
        }

        batch.Insert("x", "bad");
        var error = await Should.ThrowAsync<ClickHouseValueException>(() => target.Sink.ApplyAsync(batch.Build(), ClickHouseSinkTarget.SinkName, 1));
        error.Message.ShouldContain("public.events");
        (await target.ClickHouse.ScalarAsync<int>("SELECT count() FROM events")).ShouldBe(0);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, events.Table))?.Position.ShouldBe(Position.Zero);
    }

    [Fact]
    public async Task Consecutive_inserts_reusing_a_body_buffer_send_only_their_own_rows()
    {
        // Keyless, so any row sent twice would stay twice. The large first body (a buffer kept for reuse), a refused
        // one (its buffer returned half written), then a small one: each insert must carry exactly its own rows.
        await using var target = await ClickHouseSinkTarget.CreateAsync(o => o.SourceTypeOverride = (_, c) => c.Name == "flag" ? "boolean" : null);
        var events = Table("events", 1, Column("flag", "text", 1), Column("body", "text", 2));
        var large = new ChangeBatchBuilder(events);
        for (var i = 0; i < 20_000; i++)
        {
            large.Insert("t", $"large {i}");
        }

        await target.Sink.ApplyAsync(large.Build(), ClickHouseSinkTarget.SinkName, 1);
        var refused = new ChangeBatchBuilder(events, large.NextPosition.Lsn).Insert("t", "refused 1").Insert("x", "refused 2");
        await Should.ThrowAsync<ClickHouseValueException>(() => target.Sink.ApplyAsync(refused.Build(), ClickHouseSinkTarget.SinkName, 1));
        var small = new ChangeBatchBuilder(events, refused.NextPosition.Lsn).Insert("f", "small 1").Insert("t", "small 2");
        await target.Sink.ApplyAsync(small.Build(), ClickHouseSinkTarget.SinkName, 1);

        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM events")).ShouldBe(20_002);
        (await target.ClickHouse.ScalarAsync<long>("SELECT uniqExact(body) FROM events")).ShouldBe(20_002);
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM events WHERE body LIKE 'refused%'")).ShouldBe(0);
        (await target.ClickHouse.QueryAsync("SELECT flag, body FROM events WHERE body LIKE 'small%' ORDER BY body FORMAT TabSeparated")).ShouldBe("0\tsmall 1\n1\tsmall 2\n");
    }

    [Fact]
    public async Task An_older_epoch_is_refused_before_anything_reaches_clickhouse()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y");
        await target.Sink.ApplyAsync(builder.Build(0, 1), ClickHouseSinkTarget.SinkName, epoch: 5);

        var fenced = await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, epoch: 4));
        fenced.CurrentEpoch.ShouldBe(5);
        ClickHouseErrorClassifier.IsTransient(fenced).ShouldBeFalse();
        (await target.ClickHouse.ScalarAsync<int>("SELECT count() FROM items")).ShouldBe(1);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))!.Epoch.ShouldBe(5);

        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, epoch: 6);
        (await target.LiveRowsAsync("items", "id")).ShouldBe(["1", "2"]);
    }

    [Fact]
    public async Task A_replayed_dead_letter_is_applied_below_the_offset_without_moving_it_and_is_fenced()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Update("1", "a2", "x2").Insert("2", "b", "y");
        var changes = builder.Build().Changes;

        // The update was dead-lettered: the grain applied the rest and moved the offset past it.
        var applied = await target.Sink.ApplyAsync(new ChangeBatch(s_items.Table, [changes[0], changes[2]], changes[2].Position), ClickHouseSinkTarget.SinkName, 1);
        applied.ShouldBe(changes[2].Position);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta", "2\tb"]);

        ISink sink = target.Sink;
        var deadLetter = new ChangeBatch(s_items.Table, [changes[1]], changes[1].Position);
        await Should.ThrowAsync<SinkFencedException>(() => sink.ReplayAsync(deadLetter, ClickHouseSinkTarget.SinkName, epoch: 0));
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta", "2\tb"]);

        await sink.ReplayAsync(deadLetter, ClickHouseSinkTarget.SinkName, epoch: 1);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta2", "2\tb"]);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(applied);

        // An ordinary apply of it is still skipped: it lies below the offset.
        await sink.ApplyAsync(new ChangeBatchBuilder(s_items).Insert("1", "stale", "x").Build(), ClickHouseSinkTarget.SinkName, 1);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta2", "2\tb"]);
        sink.IsTransient(new HttpRequestException("refused", new System.Net.Sockets.SocketException())).ShouldBeTrue();
    }

    [Fact]
    public async Task An_unchanged_toast_column_keeps_its_previous_value()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)) + "\t\\'"));
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", big).Insert("2", "b", big);
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, 1);

        // Row 3 does not exist: its update cannot be completed and must not invent NULLs.
        var update = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn)
            .Update("1", "a2", ColumnValue.Unchanged)
            .Update("2", "b2", "small")
            .Update("3", "c", ColumnValue.Unchanged);
        await target.Sink.ApplyAsync(update.Build(), ClickHouseSinkTarget.SinkName, 1);

        (await target.LiveRowsAsync("items", "id, name, length(body)")).ShouldBe(["1\ta2\t80000", "2\tb2\t5"]);
        (await target.ClickHouse.ScalarAsync<string>("SELECT body FROM items FINAL WHERE id = 1")).ShouldBe(big);

        // A key move with an unchanged column takes the old key's value.
        var move = new ChangeBatchBuilder(s_items, update.NextPosition.Lsn).UpdateKey(["1"], "10", "moved", ColumnValue.Unchanged);
        await target.Sink.ApplyAsync(move.Build(), ClickHouseSinkTarget.SinkName, 1);
        (await target.LiveRowsAsync("items", "id, name, length(body)")).ShouldBe(["2\tb2\t5", "10\tmoved\t80000"]);
    }

    [Fact]
    public async Task Added_columns_are_added_dropped_ones_kept_and_renamed_ones_follow()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x");
        var v2 = Table("items", 2, Key("id", "integer", 1), Column("title", "text", 2), Column("body", "text", 3), Column("added", "date", 4));
        builder.WithSchema(v2).Insert("2", "b", "y", "2024-02-29");
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, 1);

        (await target.LiveRowsAsync("items", "id, title, body, added, added__days")).ShouldBe(["1\ta\tx\t\\N\t\\N", "2\tb\ty\t2024-02-29\t8825"]);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta", "2\t\\N"]);

        var v3 = Table("items", 3, Key("id", "integer", 1), Column("title", "text", 2), Column("added", "date", 4));
        await target.Sink.ApplyAsync(new ChangeBatchBuilder(v3, builder.NextPosition.Lsn).Insert("3", "c", null).Build(), ClickHouseSinkTarget.SinkName, 1);
        (await target.LiveRowsAsync("items", "id, title, body")).ShouldBe(["1\ta\tx", "2\tb\ty", "3\tc\t\\N"]);
    }
}
