using System.Text.Json;
using SentinelSync.IntegrationTests.Postgres.Source;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Postgres to Postgres through the real process: bad data, every type, a real workload.</summary>
public sealed class PostgresPipelineFaultTests(ITestOutputHelper output)
{
    private static readonly (string, string)[] s_items = [("items", "id")];

    [Fact]
    public async Task A_poison_row_goes_to_the_DLQ_while_other_rows_flow_and_replays_once_the_destination_is_fixed()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await using var sentinel = await StartOnSeededItemsAsync(scenario);

        await WritePoisonRowAsync(scenario);

        // A later change of the poisoned row that the destination would take on its own (price under the cap):
        // it must still wait behind the dead-lettered insert, or the row would jump ahead of its own history. It is
        // written once the insert is dead-lettered, so that no batch can merge the two into one acceptable row.
        await Eventually.WaitAsync(
            async () => await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '2000'") == 1,
            TimeSpan.FromSeconds(30),
            () => "the poisoned insert to be dead-lettered");
        await scenario.Source.ExecuteAsync("UPDATE items SET name = 'later change of the poisoned row', price = 10 WHERE id = 2000");
        await scenario.Source.ExecuteAsync("UPDATE items SET name = 'flows' WHERE id = 5");

        await Eventually.WaitAsync(
            async () => await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items WHERE id BETWEEN 2001 AND 2010 OR (id = 5 AND name = 'flows')") == 11,
            TimeSpan.FromSeconds(30),
            () => "the rows after the poison row to arrive");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items WHERE id = 2000")).ShouldBe(0, "the later change, fine alone, waits behind the poisoned one");

        var (listed, json) = await SentinelProcess.RunVerbAsync("dlq", "list", "--json", "--server", scenario.Server.ToString());
        listed.ShouldBe(0, json);
        var letters = JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();
        letters.Count.ShouldBe(2, json);
        letters.ShouldAllBe(l => l.GetProperty("rowKey").GetString() == "2000", "only the poisoned row and the changes of its key are held back");
        letters.ShouldContain(l => l.GetProperty("error").GetString()!.Contains("price_cap"));
        letters.ShouldContain(l => l.GetProperty("error").GetString()!.Contains("waits behind it"));
        letters[0].GetProperty("attempts").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        await scenario.Destination.ExecuteAsync("ALTER TABLE items DROP CONSTRAINT price_cap");
        var (replayed, replayOutput) = await SentinelProcess.RunVerbAsync("dlq", "replay", "--pipeline", PipelineScenario.Pipeline, "--sink", PipelineScenario.SinkName, "--table", "public.items", "--json", "--server", scenario.Server.ToString());
        replayed.ShouldBe(0, replayOutput);
        JsonDocument.Parse(replayOutput).RootElement.GetProperty("replayed").GetInt32().ShouldBe(letters.Count);

        // Replayed in order: the insert, then the later update (the other order would leave the poisoned values).
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), s_items);
        (await scenario.Destination.ScalarAsync<string>("SELECT name || '|' || price FROM items WHERE id = 2000")).ShouldBe("later change of the poisoned row|10.00");
        var (_, after) = await SentinelProcess.RunVerbAsync("dlq", "list", "--json", "--server", scenario.Server.ToString());
        JsonDocument.Parse(after).RootElement.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_sink_that_cannot_dead_letter_restarts_from_the_slot_and_loses_nothing_once_the_store_works_again()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await using var sentinel = await StartOnSeededItemsAsync(scenario);

        // A poison row, and a dead-letter store that refuses it: the sink can neither apply nor set it aside.
        await scenario.Control.ExecuteAsync("ALTER TABLE sentinel.dead_letter ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
        await WritePoisonRowAsync(scenario);
        await sentinel.WaitForLogAsync("failed and deactivates", TimeSpan.FromSeconds(60));

        await scenario.Control.ExecuteAsync("ALTER TABLE sentinel.dead_letter DROP CONSTRAINT refuse_all");
        await Eventually.WaitAsync(
            async () => await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items WHERE id BETWEEN 2001 AND 2010") == 10
                && await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '2000'") == 1,
            TimeSpan.FromSeconds(90),
            () => "the rows after the poison row to arrive and the poison row to be dead-lettered once");

        await scenario.Destination.ExecuteAsync("ALTER TABLE items DROP CONSTRAINT price_cap");
        var (replayed, replayOutput) = await SentinelProcess.RunVerbAsync("dlq", "replay", "--pipeline", PipelineScenario.Pipeline, "--json", "--server", scenario.Server.ToString());
        replayed.ShouldBe(0, replayOutput);
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), s_items);
    }

    [Fact]
    public async Task A_destination_refusing_connections_is_waited_for_not_dead_lettered_and_does_not_hold_up_a_stop()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        var sentinel = await StartOnSeededItemsAsync(scenario);

        // The destination database stops accepting connections (superusers included) and drops the open ones.
        var destination = scenario.Destination.Name;
        await scenario.Destination.ExecuteAsAdminAsync($"ALTER DATABASE \"{destination}\" ALLOW_CONNECTIONS false");
        await scenario.Destination.ExecuteAsAdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{destination}'");
        await scenario.Source.ExecuteAsync("INSERT INTO items (id, name, price) SELECT g, 'while refused ' || g, 1 FROM generate_series(3001, 3010) g");
        await sentinel.WaitForLogAsync("refused a connection", TimeSpan.FromSeconds(30));

        // A graceful stop does not wait out its patience for a destination that keeps failing.
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        (await sentinel.StopAsync(TimeSpan.FromSeconds(50))).ShouldBe(0, sentinel.Log);
        output.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:0.0} s with the destination refusing connections");
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        await sentinel.DisposeAsync();
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a refusing destination is not the changes' fault");

        // A silo started while the destination still refuses (its sink has not created its control tables yet)
        // waits for it too.
        await using var restarted = await scenario.StartSentinelAsync();
        await restarted.WaitForLogAsync("refused a connection", TimeSpan.FromSeconds(30));
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a refusing destination is not the changes' fault");

        await scenario.Destination.ExecuteAsAdminAsync($"ALTER DATABASE \"{destination}\" ALLOW_CONNECTIONS true");
        Npgsql.NpgsqlConnection.ClearAllPools();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), s_items);
    }

    [Fact]
    public async Task Every_type_arrives_identical_including_unchanged_TOAST_values_after_updates_of_other_columns()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync(TypeTortureTests.Schema + "INSERT INTO public.torture (id) VALUES (100);");

        // The enum and domain types are created at the destination by the sink, from the source's definitions.
        await using var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("public.torture", "id"));

        await scenario.Source.ExecuteAsync(TypeTortureTests.Rows);
        await scenario.Source.ExecuteAsync("""
            ALTER TABLE public.torture ADD COLUMN big text;
            ALTER TABLE public.torture ALTER COLUMN big SET STORAGE EXTERNAL;
            UPDATE public.torture SET big = repeat(md5(id::text), 1000) WHERE id IN (1, 2, 3);
            UPDATE public.torture SET i2 = 7 WHERE id IN (1, 2, 3);
            """);

        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), ("public.torture", "id"));
        var columns = await scenario.Destination.ScalarAsync<string>("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.torture'::regclass AND attnum > 0 AND NOT attisdropped");
        columns.ShouldEndWith(",big");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM public.torture WHERE length(big) = 32000 AND i2 = 7")).ShouldBe(3);
    }

    [Fact]
    public async Task A_pgbench_workload_replicates_identically()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await Pgbench.RunAsync(scenario.Source, "-i", "-s", "5", "-q");
        await scenario.Source.ExecuteAsync("ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY");
        await using var sentinel = await scenario.StartSentinelAsync();

        var bench = await Pgbench.RunAsync(scenario.Source, "-c", "4", "-j", "2", "-T", "15", "-n");
        output.WriteLine(bench);

        await scenario.WaitForConvergenceAsync(
            TimeSpan.FromSeconds(120),
            ("pgbench_accounts", "aid"),
            ("pgbench_branches", "bid"),
            ("pgbench_tellers", "tid"),
            ("pgbench_history", "id"));
    }

    /// <summary><c>items</c> with 100 rows at the source, the pipeline started and converged.</summary>
    private static async Task<SentinelProcess> StartOnSeededItemsAsync(PipelineScenario scenario)
    {
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 100);
        var sentinel = await scenario.StartSentinelAsync();
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(30), s_items);
        return sentinel;
    }

    /// <summary>
    /// The destination starts refusing prices of 100,000 and more (the source does not); then the source writes
    /// one such row (id 2000) and ten fine ones (2001 to 2010).
    /// </summary>
    private static async Task WritePoisonRowAsync(PipelineScenario scenario)
    {
        await scenario.Destination.ExecuteAsync("ALTER TABLE items ADD CONSTRAINT price_cap CHECK (price < 100000)");
        await scenario.Source.ExecuteAsync("INSERT INTO items (id, name, price) VALUES (2000, 'poison', 500000)");
        await scenario.Source.ExecuteAsync("INSERT INTO items (id, name, price) SELECT g, 'fine ' || g, 10 FROM generate_series(2001, 2010) g");
    }
}
