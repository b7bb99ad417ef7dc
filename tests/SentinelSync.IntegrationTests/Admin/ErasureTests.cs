using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>
/// <c>sentinel erase</c> against the real process, a Postgres sink that masks, excludes and renames (the key column
/// included) and a ClickHouse sink: the row is gone at both (every ClickHouse version, not only hidden by FINAL), its
/// dead letters are gone, the call is in the audit trail without the key's value, a viewer is refused, a second run
/// finds nothing, and the pipeline goes on with the key afterwards.
/// </summary>
public sealed class ErasureTests(ITestOutputHelper output)
{
    private const string ViewerToken = "erase-viewer-51c0a7e2";

    private const string OperatorToken = "erase-ops-d93b44f1";

    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Erase_removes_the_row_at_every_sink_and_its_dead_letters_is_audited_without_the_key_and_refused_to_a_viewer()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        await scenario.AddSettingsAsync(
            """
            masking:
              salt: "${env:TEST_MASK_SALT}"
              keys:
                - { id: k1, key: "${env:TEST_MASK_KEY}" }
              activeKey: k1
            """,
            PipelineScenario.SinkName,
            """
            transforms:
              - table: public.customers
                mask: { email: hmac }
                exclude: [notes]
                rename: { id: customer_id }
            """);
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace(
            "silo: { name: test-silo,",
            $"silo: {{ name: test-silo, tokens: [ {{ id: dpo-viewer, token: {ViewerToken} }}, {{ id: dpo-ops, token: {OperatorToken}, role: operator }} ],",
            StringComparison.Ordinal));
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE customers (id int PRIMARY KEY, email text, notes text, score int);
            INSERT INTO customers VALUES (1, 'keep@example.com', 'n1', 1), (2, 'erase.me@example.com', 'n2', 2), (3, 'other@example.com', 'n3', 3);
            """);
        await using var sentinel = await scenario.StartSentinelAsync(new Dictionary<string, string>
        {
            ["TEST_MASK_SALT"] = "erase-test-salt-0123456789",
            ["TEST_MASK_KEY"] = "erase-test-key-0123456789abcdef",
        });
        await WaitAsync(() => scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers"), 3, "the snapshot at the Postgres sink");
        await WaitAsync(() => scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM customers FINAL WHERE _deleted = 0"), 3, "the snapshot at ClickHouse");

        // Customer 2's update is refused at the Postgres sink (dead-lettered), and its delete queues behind it there,
        // so that sink keeps the old row and the dead-letter queue holds the row twice; ClickHouse keeps old versions
        // and a tombstone until a merge. This is what the source's delete alone leaves behind.
        await scenario.Destination.ExecuteAsync("ALTER TABLE customers ADD CONSTRAINT score_cap CHECK (score < 1000)");
        await scenario.Source.ExecuteAsync("UPDATE customers SET score = 5000 WHERE id = 2");
        await WaitAsync(() => scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '2'"), 1, "the update of customer 2 dead-lettered");
        await scenario.Source.ExecuteAsync("DELETE FROM customers WHERE id = 2");
        await WaitAsync(() => scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '2'"), 2, "the update and the delete of customer 2 dead-lettered");
        await WaitAsync(() => scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM customers FINAL WHERE _deleted = 0"), 2, "the delete at ClickHouse");
        (await scenario.ClickHouse!.ScalarAsync<long>("SELECT count() FROM customers WHERE id = 2")).ShouldBeGreaterThan(0, "ClickHouse keeps the deleted row's versions (a tombstone at least) until a merge");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE customer_id = 2")).ShouldBe(1);

        // A viewer may not erase: 403 with the reason, and nothing changes.
        var refused = await Verb("erase", PipelineScenario.Pipeline, "--table", "public.customers", "--key", "2", "--token", ViewerToken);
        refused.ExitCode.ShouldBe(4, refused.Output);
        refused.Output.ShouldContain("'dpo-viewer' has the role viewer");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE customer_id = 2")).ShouldBe(1);

        // A key that does not fit the table is refused before anything is erased, naming the key columns.
        var wrong = await Verb("erase", PipelineScenario.Pipeline, "--table", "customers", "--key", "email=x", "--token", OperatorToken);
        wrong.ExitCode.ShouldBe(2, wrong.Output);
        wrong.Output.ShouldContain("keyed by (id)");

        // The operator erases customer 2 (written "002": the source's own form is what gets matched).
        var erased = await Verb("erase", PipelineScenario.Pipeline, "--table", "public.customers", "--key", "id=002", "--reason", "ticket DPO-17", "--json", "--token", OperatorToken);
        erased.ExitCode.ShouldBe(0, erased.Output);
        output.WriteLine(erased.Output);
        var report = JsonDocument.Parse(erased.Output).RootElement;
        report.GetProperty("stillAtSource").GetBoolean().ShouldBeFalse();
        var sinks = report.GetProperty("sinks").EnumerateArray().ToDictionary(s => s.GetProperty("sink").GetString()!);
        var postgres = sinks[PipelineScenario.SinkName];
        postgres.GetProperty("removed").GetProperty("count").GetInt64().ShouldBe(1);
        postgres.GetProperty("deadLettersPurged").GetInt32().ShouldBe(2);
        var clickHouse = sinks[PipelineScenario.ClickHouseSinkName];
        clickHouse.GetProperty("removed").GetProperty("count").GetInt64().ShouldBeGreaterThan(0);
        clickHouse.GetProperty("removed").GetProperty("unit").GetString().ShouldBe("row versions");

        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE customer_id = 2")).ShouldBe(0);
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers")).ShouldBe(2, "only the erased row went");
        (await scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM customers WHERE id = 2")).ShouldBe(0, "every version, tombstone included");
        (await scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM customers FINAL WHERE _deleted = 0")).ShouldBe(2);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter WHERE row_key = '2'")).ShouldBe(0);

        // In the audit trail: who, what, the reason; the key's value masked.
        var audit = await scenario.Control.ScalarAsync<string>(
            "SELECT token_id || ' ' || action || ' ' || status || ' ' || arguments::text FROM sentinel.audit_log WHERE action LIKE '%/erase' AND status = 200");
        audit.ShouldStartWith("dpo-ops POST /api/pipelines/p/tables/public.customers/erase 200");
        audit.ShouldContain("ticket DPO-17");
        audit.ShouldContain("\"id\": \"********\"");
        audit.ShouldNotContain("002");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.audit_log WHERE action LIKE '%/erase' AND token_id = 'dpo-viewer' AND status = 403")).ShouldBe(1);

        // Twice is fine: nothing is left to remove.
        var again = await Verb("erase", PipelineScenario.Pipeline, "--table", "public.customers", "--key", "2", "--json", "--token", OperatorToken);
        again.ExitCode.ShouldBe(0, again.Output);
        foreach (var sink in JsonDocument.Parse(again.Output).RootElement.GetProperty("sinks").EnumerateArray())
        {
            sink.GetProperty("removed").GetProperty("count").GetInt64().ShouldBe(0, sink.ToString());
            sink.GetProperty("deadLettersPurged").GetInt32().ShouldBe(0, sink.ToString());
        }

        // A row the source still has: erased, with the warning that its next change brings it back.
        var live = await Verb("erase", PipelineScenario.Pipeline, "--table", "public.customers", "--key", "3", "--token", OperatorToken);
        live.ExitCode.ShouldBe(0, live.Output);
        live.Output.ShouldContain("still exists at the source");
        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE customer_id = 3")).ShouldBe(0);

        // The pipeline goes on, and the key is no longer held behind its (deleted) dead letters.
        await scenario.Destination.ExecuteAsync("ALTER TABLE customers DROP CONSTRAINT score_cap");
        await scenario.Source.ExecuteAsync("INSERT INTO customers VALUES (2, 'new@example.com', 'n', 7); UPDATE customers SET score = 4 WHERE id = 3");
        await WaitAsync(() => scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM customers WHERE customer_id IN (2, 3)"), 2, "the new customer 2 and the updated customer 3 at the Postgres sink");
        await WaitAsync(() => scenario.ClickHouse.ScalarAsync<long>("SELECT count() FROM customers FINAL WHERE _deleted = 0 AND id IN (2, 3)"), 2, "the same at ClickHouse");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0);
        sentinel.Log.ShouldNotContain("erase.me@example.com");

        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);

        Task<(int ExitCode, string Output)> Verb(params string[] arguments) =>
            SentinelProcess.RunVerbAsync([.. arguments, "--server", scenario.Server.ToString()]);
    }

    private static async Task WaitAsync(Func<Task<long>> read, long expected, string what)
    {
        long last = -1;
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = await read();
                }
                catch (Exception e) when (e is Npgsql.PostgresException or HttpRequestException || ClickHouseDatabase.IsMissingTable(e))
                {
                    // The sink has not created the table yet.
                    return false;
                }

                return last == expected;
            },
            s_within,
            () => $"{what}: expected {expected}, last {last}");
    }
}
