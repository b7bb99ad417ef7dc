using SentinelSync.Replication;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// Several tables in one destination transaction (<see cref="IMultiStreamSink"/> with an epoch per table, driven by
/// <see cref="SinkApplyGroup"/>): all tables' rows and offset rows commit together or not at all, each table is
/// fenced by its own epoch, and tables of the same shape never mix. "One transaction" is read from the rows' xmin.
/// </summary>
public sealed class PostgresSinkCrossTableTests
{
    // Same shape on purpose: a reducer that merged them into one segment would write b's rows into a.
    private static readonly TableSchema s_a = Table("a", 1, Key("id", "integer"), Column("name", "text"));
    private static readonly TableSchema s_b = Table("b", 1, Key("id", "integer"), Column("name", "text"));
    private static readonly TableSchema s_c = Table("c", 1, Key("id", "integer"), Column("name", "text"));
    private static readonly TableSchema s_d = Table("d", 1, Key("id", "integer"), Column("name", "text"));

    [Fact]
    public async Task Two_tables_of_one_shape_commit_in_one_transaction_each_with_its_own_rows_and_offset()
    {
        await using var target = await SinkTarget.CreateAsync();
        var a = new ChangeBatchBuilder(s_a, 0x1000).Insert("1", "a1").Insert("2", "a2");
        var b = new ChangeBatchBuilder(s_b, 0x1001).Insert("1", "b1");

        // The first round reads the offset rows; the second goes the short way (offsets known): both must be one transaction.
        var first = await target.Sink.ApplyStreamsAsync([a.Build(), b.Build()], [1, 1], SinkTarget.SinkName);
        first.ShouldBe([a.Changes[^1].Position, b.Changes[^1].Position]);
        (await XminsAsync(target)).Count.ShouldBe(1, "rows and offsets of both tables in one transaction");

        var a2 = new ChangeBatchBuilder(s_a, 0x2000).Update("1", "a1 again");
        var b2 = new ChangeBatchBuilder(s_b, 0x2001).Insert("2", "b2").Delete("1");
        await target.Sink.ApplyStreamsAsync([b2.Build(), a2.Build()], [1, 1], SinkTarget.SinkName);

        (await target.RowsAsync("SELECT id, name FROM public.a ORDER BY id")).ShouldBe(["1|a1 again", "2|a2"]);
        (await target.RowsAsync("SELECT id, name FROM public.b ORDER BY id")).ShouldBe(["2|b2"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_a.Table))!.Position.ShouldBe(a2.Changes[^1].Position);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_b.Table))!.Position.ShouldBe(b2.Changes[^1].Position);
        var second = await target.RowsAsync("""
            SELECT DISTINCT xmin::text FROM (SELECT xmin FROM public.a WHERE id = 1 UNION ALL SELECT xmin FROM public.b
            UNION ALL SELECT xmin FROM "_sentinel".offsets) t
            """);
        second.Count.ShouldBe(1, "the second round's rows and both offsets in one transaction");
    }

    [Fact]
    public async Task A_stale_epoch_of_one_table_writes_nothing_for_any_table()
    {
        await using var target = await SinkTarget.CreateAsync();
        await using var successor = new PostgresSink(new PostgresSinkOptions { Connection = target.Database.ConnectionString });
        var a = new ChangeBatchBuilder(s_a, 0x1000).Insert("1", "a1");
        var b = new ChangeBatchBuilder(s_b, 0x1001).Insert("1", "b1");
        await target.Sink.ApplyStreamsAsync([a.Build(), b.Build()], [1, 1], SinkTarget.SinkName);
        var aOffset = (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_a.Table))!;

        // Table b's sink grain moved on (epoch 2) while this sink still believes it owns b with epoch 1.
        await successor.ApplyAsync(new ChangeBatchBuilder(s_b, 0x3000).Update("1", "b1 by the successor").Build(), SinkTarget.SinkName, epoch: 2);

        var staleA = new ChangeBatchBuilder(s_a, 0x4000).Insert("2", "a2").Update("1", "zombie");
        var staleB = new ChangeBatchBuilder(s_b, 0x4001).Insert("2", "zombie");
        var error = await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyStreamsAsync([staleA.Build(), staleB.Build()], [1, 1], SinkTarget.SinkName));

        error.Table.ShouldBe(s_b.Table);
        (await target.RowsAsync("SELECT id, name FROM public.a ORDER BY id")).ShouldBe(["1|a1"], "table a's epoch is current, yet nothing of it may commit");
        (await target.RowsAsync("SELECT id, name FROM public.b ORDER BY id")).ShouldBe(["1|b1 by the successor"]);
        var aAfter = (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_a.Table))!;
        (aAfter.Position, aAfter.Epoch).ShouldBe((aOffset.Position, aOffset.Epoch));
    }

    [Fact]
    public async Task A_change_one_table_refuses_rolls_back_every_table_and_each_applies_alone_afterwards()
    {
        await using var target = await SinkTarget.CreateAsync();
        var a = new ChangeBatchBuilder(s_a, 0x1000).Insert("1", "a1");
        var b = new ChangeBatchBuilder(s_b, 0x1001).Insert("1", "b1");
        var applied = await target.Sink.ApplyStreamsAsync([a.Build(), b.Build()], [1, 1], SinkTarget.SinkName);

        var goodA = new ChangeBatchBuilder(s_a, 0x2000).Insert("2", "a2");
        var badB = new ChangeBatchBuilder(s_b, 0x2001).Insert("not a number", "b2");
        await Should.ThrowAsync<Npgsql.PostgresException>(() => target.Sink.ApplyStreamsAsync([goodA.Build(), badB.Build()], [1, 1], SinkTarget.SinkName));

        (await target.RowsAsync("SELECT id, name FROM public.a ORDER BY id")).ShouldBe(["1|a1"]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_a.Table))!.Position.ShouldBe(applied[0]);
        (await target.Sink.ReadOffsetAsync(SinkTarget.SinkName, s_b.Table))!.Position.ShouldBe(applied[1]);

        // A replay of the same batch after the failure is applied once, and the earlier round is skipped.
        await target.Sink.ApplyAsync(goodA.Build(), SinkTarget.SinkName, epoch: 1);
        await target.Sink.ApplyStreamsAsync([goodA.Build(), b.Build()], [1, 1], SinkTarget.SinkName);
        (await target.RowsAsync("SELECT id, name FROM public.a ORDER BY id")).ShouldBe(["1|a1", "2|a2"]);
        (await target.RowsAsync("SELECT id, name FROM public.b ORDER BY id")).ShouldBe(["1|b1"]);
    }

    [Fact]
    public async Task A_batch_starts_a_round_of_its_own_while_one_is_in_flight_and_those_arriving_while_two_are_go_together_next()
    {
        await using var target = await SinkTarget.CreateAsync();
        var group = new SinkApplyGroup(target.Sink, "p", SinkTarget.SinkName, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        foreach (var schema in new[] { s_a, s_b, s_c, s_d })
        {
            await target.Sink.EnsureTableAsync(schema);
        }

        var (first, second, queued) = await TwoRoundsBehindLocksAsync(target, group, () =>
        [
            group.TryApplyAsync(new ChangeBatchBuilder(s_b, 0x1001).Insert("1", "b1").Build(), 1, CancellationToken.None),
            group.TryApplyAsync(new ChangeBatchBuilder(s_c, 0x1002).Insert("1", "c1").Build(), 1, CancellationToken.None),
        ]);

        (await Task.WhenAll([first, second, .. queued])).ShouldAllBe(error => error == null);
        var xmin = (await target.RowsAsync("SELECT (SELECT xmin::text FROM public.a), (SELECT xmin::text FROM public.d), (SELECT xmin::text FROM public.b), (SELECT xmin::text FROM public.c)"))[0].Split('|');
        var (xa, xd, xb, xc) = (xmin[0], xmin[1], xmin[2], xmin[3]);
        xa.ShouldNotBe(xd, "d arrived while a's round was in flight and started a round of its own");
        xb.ShouldBe(xc, "b and c, both waiting while two rounds were in flight, share the next round's transaction");
        new[] { xa, xd }.ShouldNotContain(xb);
    }

    [Fact]
    public async Task A_large_batch_waits_for_the_round_in_flight_and_small_ones_arriving_after_it_go_with_it()
    {
        await using var target = await SinkTarget.CreateAsync();
        var group = new SinkApplyGroup(target.Sink, "p", SinkTarget.SinkName, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        foreach (var schema in new[] { s_a, s_b, s_c, s_d })
        {
            await target.Sink.EnsureTableAsync(schema);
        }

        Task<Exception?> first = null!;
        Task<Exception?>[] waiting = [];
        await WhileLockedAsync(target, "public.a", async () =>
        {
            first = group.TryApplyAsync(new ChangeBatchBuilder(s_a, 0x1000).Insert("1", "a1").Build(), 1, CancellationToken.None);
            await WaitForLockWaitersAsync(target, 1);
            var large = new ChangeBatchBuilder(s_d, 0x1001);
            for (var id = 1; id <= SinkApplyGroup.SmallBatchChanges + 1; id++)
            {
                large.Insert(id.ToString(System.Globalization.CultureInfo.InvariantCulture), "d");
            }

            waiting =
            [
                group.TryApplyAsync(large.Build(), 1, CancellationToken.None),
                group.TryApplyAsync(new ChangeBatchBuilder(s_b, 0x1002).Insert("1", "b1").Build(), 1, CancellationToken.None),
            ];

            // Neither began a round beside a's: the large one may not, and the small one may not while the large one waits.
            await Task.Delay(500);
            waiting.ShouldAllBe(batch => !batch.IsCompleted);
            (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.d")).ShouldBe(0);
        });

        (await Task.WhenAll([first, .. waiting])).ShouldAllBe(error => error == null);
        var xmin = (await target.RowsAsync("SELECT (SELECT xmin::text FROM public.a), (SELECT DISTINCT xmin::text FROM public.d), (SELECT xmin::text FROM public.b)"))[0].Split('|');
        xmin[1].ShouldBe(xmin[2], "the large batch and the small one that arrived after it share the next round");
        xmin[0].ShouldNotBe(xmin[1]);
        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM public.d")).ShouldBe(SinkApplyGroup.SmallBatchChanges + 1);
    }

    [Fact]
    public async Task A_failed_round_fails_every_batch_in_it_and_writes_none()
    {
        await using var target = await SinkTarget.CreateAsync();
        var group = new SinkApplyGroup(target.Sink, "p", SinkTarget.SinkName, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        foreach (var schema in new[] { s_a, s_b, s_d })
        {
            await target.Sink.EnsureTableAsync(schema);
        }

        await target.Sink.ApplyStreamsAsync([new ChangeBatchBuilder(s_a, 0x10).Insert("9", "seed").Build()], [1], SinkTarget.SinkName);

        var (first, second, queued) = await TwoRoundsBehindLocksAsync(target, group, () =>
        [
            group.TryApplyAsync(new ChangeBatchBuilder(s_a, 0x2000).Insert("2", "a2").Build(), 1, CancellationToken.None),
            group.TryApplyAsync(new ChangeBatchBuilder(s_b, 0x2001).Insert("not a number", "b").Build(), 1, CancellationToken.None),
        ]);

        (await first).ShouldBeNull();
        (await second).ShouldBeNull();
        (await queued[0]).ShouldNotBeNull("a's batch shared the round with b's refused change");
        (await queued[1]).ShouldNotBeNull();
        (await target.RowsAsync("SELECT id FROM public.a ORDER BY id")).ShouldBe(["1", "9"]);
        (await target.RowsAsync("SELECT id FROM public.b")).ShouldBeEmpty();
    }

    /// <summary>
    /// Holds tables a and d locked while the group's first batch (a1) leads a round at once and waits on a's lock, and
    /// a second batch (d1), arriving while one round is in flight, leads a second round at once and waits on d's; then
    /// calls <paramref name="queue"/> (TryApplyAsync has queued a batch by the time it returns its task), checks that
    /// those batches wait for the rounds in flight, then releases the locks.
    /// </summary>
    private static async Task<(Task<Exception?> First, Task<Exception?> Second, Task<Exception?>[] Queued)> TwoRoundsBehindLocksAsync(
        SinkTarget target, SinkApplyGroup group, Func<Task<Exception?>[]> queue)
    {
        Task<Exception?> first = null!, second = null!;
        Task<Exception?>[] queued = [];
        await WhileLockedAsync(target, "public.a, public.d", async () =>
        {
            first = group.TryApplyAsync(new ChangeBatchBuilder(s_a, 0x1000).Insert("1", "a1").Build(), 1, CancellationToken.None);
            await WaitForLockWaitersAsync(target, 1);
            second = group.TryApplyAsync(new ChangeBatchBuilder(s_d, 0x1000).Insert("1", "d1").Build(), 1, CancellationToken.None);
            await WaitForLockWaitersAsync(target, 2);
            queued = queue();
            queued.ShouldAllBe(batch => !batch.IsCompleted, "batches queued behind two rounds in flight wait for one to end");
        });
        return (first, second, queued);
    }

    /// <summary>Runs <paramref name="body"/> while another session holds <paramref name="tables"/> locked, then releases them.</summary>
    private static async Task WhileLockedAsync(SinkTarget target, string tables, Func<Task> body)
    {
        await using var blocker = await target.Database.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTables = new Npgsql.NpgsqlCommand($"LOCK TABLE {tables} IN EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTables.ExecuteNonQueryAsync();
        }

        await body();
        await transaction.RollbackAsync();
    }

    private static Task WaitForLockWaitersAsync(SinkTarget target, long waiters) => Eventually.WaitAsync(
        async () => await target.Database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == waiters,
        TimeSpan.FromSeconds(60),
        () => $"{waiters} round(s) to wait on the tables' locks");

    private static async Task<List<string>> XminsAsync(SinkTarget target) =>
        await target.RowsAsync("""
            SELECT DISTINCT xmin::text FROM (SELECT xmin FROM public.a UNION ALL SELECT xmin FROM public.b
            UNION ALL SELECT xmin FROM "_sentinel".offsets) t
            """);
}
