using Microsoft.Extensions.Logging;
using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>Apply semantics of the Postgres sink against the real destination server.</summary>
public sealed class PostgresSinkApplyTests
{
    private const string Items = "SELECT id, name, body FROM public.items ORDER BY id";
    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("name", "text"), Column("body", "text"));

    [Fact]
    public async Task Inserts_updates_deletes_and_truncate_are_applied()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y").Insert("3", "c", "z");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b|y", "3|c|z"]);

        var second = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn).Update("2", "b2", null).Delete("3").Insert("4", "d", "w");
        var applied = await target.Sink.ApplyAsync(second.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b2|∅", "4|d|w"]);
        applied.ShouldBe(second.Changes[^1].Position);

        var third = new ChangeBatchBuilder(s_items, second.NextPosition.Lsn).Truncate().Insert("9", "z", "z");
        await target.Sink.ApplyAsync(third.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["9|z|z"]);
    }

    [Fact]
    public async Task A_large_batch_copied_in_many_chunks_keeps_every_character_of_multi_byte_text()
    {
        await using var target = await SinkTarget.CreateAsync();
        // 2,000 rows (COPY, not statements) of about 300 characters each: about ten 64k-character chunks, with
        // characters of 2, 3 and 4 UTF-8 bytes (a surrogate pair in .NET) and COPY's escapes everywhere in them.
        var builder = new ChangeBatchBuilder(s_items);
        string Body(int id) => string.Concat(Enumerable.Repeat($"{id} \u00FC\u20AC\U0001F600\t\\\n", 25));
        for (var id = 1; id <= 2_000; id++)
        {
            builder.Insert(id.ToString(System.Globalization.CultureInfo.InvariantCulture), "\U0001F4A1" + id, Body(id));
        }

        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, epoch: 1);

        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.items")).ShouldBe(2_000);
        var mismatched = await target.Database.ScalarAsync<long>(
            "SELECT count(*) FROM public.items WHERE name <> U&'\\+01F4A1' || id OR body <> repeat(id || U&' \\00FC\\20AC\\+01F600' || E'\\t\\\\\\n', 25)");
        mismatched.ShouldBe(0, "every row's text arrives as written");
    }

    [Fact]
    public async Task Snapshot_rows_meeting_keys_already_at_the_destination_are_upserted_not_duplicated_or_refused()
    {
        await using var target = await SinkTarget.CreateAsync();

        // A first copy lands (straight into the empty target); a restarted copy then meets its keys, and rows
        // at the destination that a new snapshot row replaces take the new values, in the same batch and after.
        var first = new ChangeBatchBuilder(s_items).Snapshot("1", "a", "x").Snapshot("2", "b", "y");
        await target.Sink.ApplyAsync(first.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b|y"]);

        var again = new ChangeBatchBuilder(s_items, first.NextPosition.Lsn).Snapshot("2", "b2", "y2").Snapshot("3", "c", "z");
        await target.Sink.ApplyAsync(again.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b2|y2", "3|c|z"]);

        var later = new ChangeBatchBuilder(s_items, again.NextPosition.Lsn).Snapshot("3", "c3", "z3").Snapshot("4", "d", "w");
        await target.Sink.ApplyAsync(later.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x", "2|b2|y2", "3|c3|z3", "4|d|w"]);

        // After a truncate in the same batch, the copy starts from an empty table again.
        var resync = new ChangeBatchBuilder(s_items, later.NextPosition.Lsn).Truncate().Snapshot("1", "r", "r");
        await target.Sink.ApplyAsync(resync.Build(), SinkTarget.SinkName, epoch: 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|r|r"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(resync.Changes[^1].Position);
    }

    [Fact]
    public async Task Replaying_the_same_or_an_older_batch_changes_nothing_and_returns_the_stored_position()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x").Insert("2", "b", "y");
        var first = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);
        await target.Database.ExecuteAsync("UPDATE public.items SET name = 'edited at destination'");

        (await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1)).ShouldBe(first);
        (await target.Sink.ApplyAsync(builder.Build(0, 1), SinkTarget.SinkName, 1)).ShouldBe(first);

        (await target.RowsAsync(Items)).ShouldBe(["1|edited at destination|x", "2|edited at destination|y"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(first);
    }

    [Fact]
    public async Task A_batch_with_old_and_new_positions_applies_only_the_new_part()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items)
            .Insert("1", "a", "x").Insert("2", "b", "y").Insert("3", "c", "z")
            .Update("1", "a2", "x2").Delete("2").Insert("4", "d", "w");
        await target.Sink.ApplyAsync(builder.Build(0, 3), SinkTarget.SinkName, 1);
        await target.Database.ExecuteAsync("UPDATE public.items SET body = 'kept' WHERE id = 3");

        var applied = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        applied.ShouldBe(builder.Changes[^1].Position);
        (await target.RowsAsync(Items)).ShouldBe(["1|a2|x2", "3|c|kept", "4|d|w"]);
    }

    [Fact]
    public async Task An_unchanged_toast_column_keeps_the_destination_value()
    {
        var warnings = new WarningLog();
        await using var target = await SinkTarget.CreateAsync(logger: warnings);
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + i % 26) + "\t\\"));
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", big).Insert("2", "b", big);
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        // Row 3 does not exist at the destination: its update cannot be completed and must not invent NULLs.
        var update = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn)
            .Update("1", "a2", ColumnValue.Unchanged)
            .Update("2", "b2", "small")
            .Update("3", "c", ColumnValue.Unchanged);
        await target.Sink.ApplyAsync(update.Build(), SinkTarget.SinkName, 1);

        (await target.Database.ScalarAsync<string>("SELECT body FROM public.items WHERE id = 1")).ShouldBe(big);
        (await target.RowsAsync("SELECT id, name, length(body) FROM public.items ORDER BY id")).ShouldBe(["1|a2|60000", "2|b2|5"]);
        warnings.Messages.ShouldBe(["public.items: 1 of 2 updates with unchanged TOAST columns found no destination row; the destination has diverged from the source"]);
    }

    [Fact]
    public async Task Many_updates_with_unchanged_columns_in_one_batch_keep_the_destination_values()
    {
        // More rows with unchanged columns than are written as statements of their own: the staging table's way.
        var warnings = new WarningLog();
        await using var target = await SinkTarget.CreateAsync(logger: warnings);
        var builder = new ChangeBatchBuilder(s_items);
        for (var id = 1; id <= 200; id++)
        {
            builder.Insert($"{id}", "old", $"body {id}");
        }

        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);
        var updates = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn);
        for (var id = 1; id <= 201; id++)
        {
            updates.Update($"{id}", "new", ColumnValue.Unchanged);
        }

        await target.Sink.ApplyAsync(updates.Build(), SinkTarget.SinkName, 1);

        var rows = await target.RowsAsync(Items);
        rows.Count.ShouldBe(200);
        rows.ShouldAllBe(r => r.StartsWith(r.Split('|')[0] + "|new|body " + r.Split('|')[0], StringComparison.Ordinal));
        warnings.Messages.ShouldBe(["public.items: 1 of 201 updates with unchanged TOAST columns found no destination row; the destination has diverged from the source"]);
    }

    [Fact]
    public async Task A_key_change_moves_the_row_and_keeps_unchanged_columns()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "big body");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        var moves = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn)
            .UpdateKey(["1"], "5", "a5", ColumnValue.Unchanged)
            .Insert("1", "new one", "n")
            .UpdateKey(["5"], "7", "a7", "explicit");
        await target.Sink.ApplyAsync(moves.Build(0, 2), SinkTarget.SinkName, 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|new one|n", "5|a5|big body"]);

        await target.Sink.ApplyAsync(moves.Build(), SinkTarget.SinkName, 1);
        (await target.RowsAsync(Items)).ShouldBe(["1|new one|n", "7|a7|explicit"]);
    }

    [Fact]
    public async Task Insert_update_delete_of_one_key_in_one_batch_nets_out()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items)
            .Insert("1", "a", "x").Update("1", "a2", ColumnValue.Unchanged).Delete("1")
            .Insert("2", "b", "body of 2").Update("2", "b2", ColumnValue.Unchanged);

        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        (await target.RowsAsync(Items)).ShouldBe(["2|b2|body of 2"]);
    }

    [Fact]
    public async Task A_newer_epoch_fences_an_older_one_which_changes_nothing()
    {
        await using var target = await SinkTarget.CreateAsync();
        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x");
        var applied = await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, epoch: 2);
        var stale = new ChangeBatchBuilder(s_items, builder.NextPosition.Lsn).Insert("2", "zombie", "z").Delete("1");

        var error = await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyAsync(stale.Build(), SinkTarget.SinkName, epoch: 1));

        error.CurrentEpoch.ShouldBe(2);
        error.Epoch.ShouldBe(1);
        (await target.RowsAsync(Items)).ShouldBe(["1|a|x"]);
        var offset = (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!;
        offset.Position.ShouldBe(applied);
        offset.Epoch.ShouldBe(2);

        // The owner of epoch 3 takes over and applies the same batch.
        await target.Sink.ApplyAsync(stale.Build(), SinkTarget.SinkName, epoch: 3);
        (await target.RowsAsync(Items)).ShouldBe(["2|zombie|z"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_items.Table))!.Epoch.ShouldBe(3);
    }

    [Fact]
    public async Task Offsets_are_per_sink_and_absent_before_the_first_batch()
    {
        await using var target = await SinkTarget.CreateAsync();
        (await target.Sink.ReadOffsetAsync("other", s_items.Table)).ShouldBeNull();

        var builder = new ChangeBatchBuilder(s_items).Insert("1", "a", "x");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        (await target.Sink.ReadOffsetAsync("other", s_items.Table)).ShouldBeNull();
        (await target.Database.ScalarAsync<string>("SELECT position_lsn::text FROM \"_sentinel\".offsets WHERE sink = $1", SinkTarget.SinkName)).ShouldBe("0/1000");
    }

    [Fact]
    public async Task A_keyless_table_takes_inserts_and_refuses_updates_without_applying_the_batch()
    {
        await using var target = await SinkTarget.CreateAsync();
        var log = Table("log", 1, Column("line", "text"));
        var builder = new ChangeBatchBuilder(log).Insert("same").Insert("same");
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.log")).ShouldBe(2);

        var bad = new ChangeBatchBuilder(log, builder.NextPosition.Lsn).Insert("third").Update("changed");
        var error = await Should.ThrowAsync<KeylessTableChangeException>(() => target.Sink.ApplyAsync(bad.Build(), SinkTarget.SinkName, 1));

        error.Message.ShouldContain("public.log");
        error.Message.ShouldContain("primary key");
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.log")).ShouldBe(2);
    }

    /// <summary>The sink's warnings, formatted.</summary>
    private sealed class WarningLog : ILogger<PostgresSink>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
