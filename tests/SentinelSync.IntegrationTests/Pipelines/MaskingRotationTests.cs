using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Replication.Masking;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Masking keys rotated under a running pipeline, and a transform a table's key refuses, through the real process.</summary>
public sealed class MaskingRotationTests
{
    private const string Key2024 = "rotation-key-2024-0123456789";
    private const string Key2025 = "rotation-key-2025-9876543210";

    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(90);

    private static string Masking(string active) => $$"""
        masking:
          keys:
            - { id: k2024, key: "{{Key2024}}" }
            - { id: k2025, key: "{{Key2025}}" }
          activeKey: {{active}}
        """;

    private static MaskingOptions Options(string active) => new()
    {
        Keys = [new MaskingKey { Id = "k2024", Key = Key2024 }, new MaskingKey { Id = "k2025", Key = Key2025 }],
        ActiveKey = active,
    };

    [Fact]
    public async Task After_a_key_rotation_new_changes_use_the_new_key_old_values_still_verify_and_a_resync_remasks_the_table()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.AddSettingsAsync(Masking("k2024"), PipelineScenario.SinkName, """
            transforms:
              - { table: public.customers, mask: { email: hmac } }
            """);
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE customers (id int PRIMARY KEY, email text);
            INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 50) g;
            """);
        await using (var first = await scenario.StartSentinelAsync())
        {
            await WaitForAsync(scenario, "SELECT count(*) FROM customers WHERE email LIKE 'k2024:%'", 50);
            // Rows are visible before the snapshot completes (the key is built last): a stop before that would copy
            // the table again under the new key, and the rotation would prove nothing.
            await scenario.WaitForStreamingAsync(TimeSpan.FromSeconds(60));
            (await first.StopAsync()).ShouldBe(0);
        }

        var before = await scenario.Destination.ScalarAsync<string>("SELECT email FROM customers WHERE id = 7");
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace("activeKey: k2024", "activeKey: k2025", StringComparison.Ordinal));
        await using var sentinel = await scenario.StartSentinelAsync();

        await scenario.Source.ExecuteAsync("UPDATE customers SET email = 'new1@example.com' WHERE id = 1; INSERT INTO customers VALUES (51, 'user51@example.com')");
        await WaitForAsync(scenario, "SELECT count(*) FROM customers WHERE email LIKE 'k2025:%'", 2);
        var rotated = new Masker(Options("k2025"));
        (await scenario.Destination.ScalarAsync<string>("SELECT email FROM customers WHERE id = 1")).ShouldBe(rotated.Hmac("new1@example.com"));
        (await scenario.Destination.ScalarAsync<string>("SELECT email FROM customers WHERE id = 7")).ShouldBe(before, "untouched rows keep their k2024 value");
        rotated.VerifyHmac(before, "user7@example.com").ShouldBeTrue("old values stay verifiable while k2024 is listed");

        var (exitCode, text) = await SentinelProcess.RunVerbAsync("resync", PipelineScenario.Pipeline, "customers", "--server", scenario.Server.ToString(), "--json");
        exitCode.ShouldBe(0, text);
        await WaitForAsync(scenario, "SELECT count(*) FROM customers WHERE email LIKE 'k2025:%'", 51);
        (await scenario.Destination.ScalarAsync<string>("SELECT email FROM customers WHERE id = 7")).ShouldBe(rotated.Hmac("user7@example.com"));
    }

    [Fact]
    public async Task A_transform_masking_a_key_column_holds_that_table_back_with_the_reason_and_the_other_tables_flow()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.AddSettingsAsync(Masking("k2024"), PipelineScenario.SinkName, """
            transforms:
              - { table: public.customers, mask: { id: hmac, email: hmac } }
            """);
        await scenario.Source.ExecuteAsync("""
            CREATE TABLE customers (id text PRIMARY KEY, email text);
            CREATE TABLE orders (id int PRIMARY KEY, amount int);
            INSERT INTO customers VALUES ('alice', 'alice@example.com');
            INSERT INTO orders VALUES (1, 5);
            """);
        await using var sentinel = await scenario.StartSentinelAsync();

        await scenario.WaitForConvergenceAsync(s_within, ("orders", "id"));
        using var http = new HttpClient { BaseAddress = scenario.Server };
        var lastError = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var report = await http.GetFromJsonAsync<JsonElement>("api/pipelines");
                lastError = report.GetProperty("pipelines")[0].GetProperty("tables").EnumerateArray()
                    .Where(t => t.GetProperty("table").GetString() == "public.customers")
                    .SelectMany(t => t.GetProperty("sinks").EnumerateArray())
                    .Select(s => s.GetProperty("lastError").GetString())
                    .FirstOrDefault() ?? "";
                return lastError.Contains("key column(s) 'id'", StringComparison.Ordinal);
            },
            s_within,
            () => $"the customers sink to report the refused transform; last error: '{lastError}'");

        (await scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'customers'")).ShouldBe(0, "nothing of the table reached the sink");
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "a refused transform is the configuration's fault, not the rows'");
        await sentinel.WaitForLogAsync("transform is refused (attempt 1)");
        sentinel.Log.ShouldNotContain("alice@example.com");
    }

    private static async Task WaitForAsync(PipelineScenario scenario, string sql, long expected)
    {
        long last = -1;
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = await scenario.Destination.ScalarAsync<long>(sql);
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
                {
                    return false;
                }

                return last == expected;
            },
            s_within,
            () => $"'{sql}' to give {expected}, last {last}");
    }
}
