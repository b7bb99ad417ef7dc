using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class SlotFeedbackTests
{
    private const string ConfirmedFlushSql = "SELECT confirmed_flush_lsn >= $1::pg_lsn FROM pg_replication_slots WHERE slot_name = $2";

    [Fact]
    public async Task Confirmed_position_advances_after_confirming_and_on_an_idle_source()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.t (id int PRIMARY KEY); CREATE TABLE public.unpublished (id int)");
        var options = SourceTestOptions.For(database, "public.t");
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.t VALUES (1)");
        var change = (await stream.WaitForChangesAsync(1)).ShouldHaveSingleItem();
        var afterInsert = await database.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
        (await database.ScalarAsync<bool>(ConfirmedFlushSql, afterInsert, options.Slot))
            .ShouldBeFalse("nothing is confirmed before the caller says so");

        stream.Stream.Confirm(change.Position.Lsn);
        await WaitForConfirmedAsync(database, stream.Stream, change.Position.Lsn.ToLsnText(), options.Slot, "the applied transaction");

        // Only an unpublished table changes: no transaction reaches us, but keepalives carry the WAL end.
        await database.ExecuteAsync("INSERT INTO public.unpublished SELECT generate_series(1, 100)");
        var idleTarget = await database.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
        await WaitForConfirmedAsync(database, stream.Stream, idleTarget, options.Slot, "the WAL end of an idle source");
        stream.Changes.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Does_not_confirm_past_a_transaction_not_yet_applied()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.t (id int PRIMARY KEY)");
        var options = SourceTestOptions.For(database, "public.t");
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.t VALUES (1)");
        var first = (await stream.WaitForChangesAsync(1))[0];
        await database.ExecuteAsync("INSERT INTO public.t VALUES (2)");
        var second = (await stream.WaitForChangesAsync(2))[1];

        stream.Stream.Confirm(first.Position.Lsn);
        await stream.Stream.SendStatusUpdateAsync();

        stream.Stream.ConfirmedLsn.ShouldBe(first.Position.Lsn, "the second transaction is pending, so no keepalive shortcut");
        stream.Stream.ConfirmedLsn.ShouldBeLessThan(second.Position.Lsn);
    }

    private static Task WaitForConfirmedAsync(PostgresDatabase database, PostgresChangeStream stream, string lsn, string slot, string what) =>
        Eventually.WaitAsync(
            async () =>
            {
                await stream.SendStatusUpdateAsync();
                return await database.ScalarAsync<bool>(ConfirmedFlushSql, lsn, slot);
            },
            TimeSpan.FromSeconds(30),
            () => $"confirmed_flush_lsn of {slot} to reach {lsn} ({what}); the stream confirmed {stream.ConfirmedLsn.ToLsnText()}");
}

internal static class LsnText
{
    public static string ToLsnText(this ulong lsn) => new NpgsqlTypes.NpgsqlLogSequenceNumber(lsn).ToString();
}
