using System.Diagnostics;
using Npgsql;
using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Postgres.Source;

public sealed class LargeTransactionTests(ITestOutputHelper output)
{
    private const int Rows = 200_000;

    [Fact]
    public async Task A_streamed_transaction_arrives_whole_in_order_in_bounded_batches_without_its_rolled_back_savepoint()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.big (id int PRIMARY KEY, payload text)");
        var options = SourceTestOptions.For(database, "public.big");
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);

        // A tiny logical_decoding_work_mem makes the walsender stream the transaction while it is in progress,
        // which exercises StreamStart/Stop/Commit/Abort and the spill file rather than the ordinary path.
        var streaming = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = "-c logical_decoding_work_mem=64kB" }.ConnectionString;
        var settings = new PostgresChangeStreamSettings { ChunkSize = 10_000, SpillThreshold = 5_000 };
        await using var stream = await CollectedStream.StartAsync(options, settings, streaming);

        var elapsed = Stopwatch.StartNew();
        await database.ExecuteAsync($"""
            BEGIN;
            INSERT INTO public.big SELECT g, 'row ' || g FROM generate_series(1, {Rows / 2}) g;
            SAVEPOINT s;
            INSERT INTO public.big SELECT -g, 'rolled back' FROM generate_series(1, 20000) g;
            ROLLBACK TO SAVEPOINT s;
            INSERT INTO public.big SELECT g, 'row ' || g FROM generate_series({Rows / 2 + 1}, {Rows}) g;
            COMMIT;
            """);
        var changes = await stream.WaitForChangesAsync(Rows, seconds: 120);
        output.WriteLine($"{Rows} rows in one transaction committed and streamed in {elapsed.Elapsed.TotalSeconds:0.00} s ({Rows / elapsed.Elapsed.TotalSeconds:0} rows/s end to end)");

        changes.Count.ShouldBe(Rows, "no rolled-back row, nothing twice");
        var commitLsn = changes[0].Position.Lsn;
        for (var i = 0; i < Rows; i++)
        {
            if (changes[i].Position != new Position(commitLsn, i + 1) || changes[i].Values[0].Text != (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                Assert.Fail($"change {i} is {changes[i].Values[0]} at {changes[i].Position}, expected {i + 1} at {new Position(commitLsn, i + 1)}");
            }
        }

        stream.Batches.ShouldAllBe(b => b.Changes.Count <= settings.ChunkSize);
        stream.Batches[^1].Through.ShouldBe(new Position(commitLsn, Rows));
        stream.Stream.Decoder.StreamedTransactions.ShouldBe(1, "the transaction went through the streaming path");
        stream.Stream.Decoder.SpilledChanges.ShouldBeGreaterThan(Rows / 2, "changes beyond the threshold went to disk");
    }

    [Fact]
    public async Task A_large_ordinary_transaction_is_handed_out_in_chunks()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync("CREATE TABLE public.big (id int PRIMARY KEY)");
        var options = SourceTestOptions.For(database, "public.big");
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync("INSERT INTO public.big SELECT generate_series(1, 50000)");
        var elapsed = Stopwatch.StartNew();
        var changes = await stream.WaitForChangesAsync(50_000);
        output.WriteLine($"50000 rows decoded in {elapsed.Elapsed.TotalSeconds:0.00} s after commit");

        stream.Stream.Decoder.StreamedTransactions.ShouldBe(0);
        stream.Batches.Select(b => b.Changes.Count).ShouldBe([10000, 10000, 10000, 10000, 10000]);
        stream.Batches[0].Through.ShouldBe(new Position(changes[0].Position.Lsn, 10000), "a chunk covers through its last change");
        changes.Select(c => c.Position.Ordinal).ShouldBe(Enumerable.Range(1, 50000).Select(i => (long)i));
    }
}
