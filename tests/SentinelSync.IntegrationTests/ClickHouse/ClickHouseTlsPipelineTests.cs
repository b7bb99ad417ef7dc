using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// A ClickHouse sink over HTTPS with a private CA (<c>clickhouse.caFile</c>) against the second, HTTPS-only ClickHouse
/// server of eng/setup.sh (no plain HTTP port at all, certificate signed by the test CA): the pipeline snapshots and
/// streams into it; with a CA that did not sign the server's certificate nothing is sent, and the sink says why.
/// </summary>
public sealed class ClickHouseTlsPipelineTests(ITestOutputHelper output)
{
    private static readonly string s_ca = TestServers.TlsDirectory + "/ca.crt";
    private static readonly string s_otherCa = TestServers.TlsDirectory + "/other-ca.crt";

    [Fact]
    public async Task A_pipeline_replicates_to_ClickHouse_over_https_with_a_private_CA_and_a_wrong_CA_is_refused_with_the_reason()
    {
        await using var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, "chtls_src");
        await using var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, "chtls_ctl");
        await using var clickHouse = await ClickHouseDatabase.CreateAsync(TestServers.ClickHouseTls);
        clickHouse.Server.Scheme.ShouldBe("https");
        await source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(source, 500);

        var port = SentinelProcess.FreePortPair();
        var config = Path.Combine(Path.GetTempPath(), $"{source.Name}.yaml");
        await File.WriteAllTextAsync(config, Config(source, control, clickHouse, s_ca, port));
        await using (var sentinel = await SentinelProcess.StartAsync(config, port))
        {
            await WaitForRowsAsync(clickHouse, "SELECT count() FROM items FINAL WHERE _deleted = 0", 500, sentinel);
            await source.ExecuteAsync("UPDATE items SET name = 'streamed over https' WHERE id <= 10; DELETE FROM items WHERE id > 490");
            // 490 live rows, 10 of them updated: count · 1000 + updated.
            await WaitForRowsAsync(clickHouse, "SELECT count() * 1000 + countIf(name = 'streamed over https') FROM items FINAL WHERE _deleted = 0", 490_010, sentinel);
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        }

        // The same server with a CA that did not sign its certificate: refused before a byte is sent, and said.
        await source.ExecuteAsync("INSERT INTO items (id, name) VALUES (10001, 'must not arrive')");
        await File.WriteAllTextAsync(config, Config(source, control, clickHouse, s_otherCa, port));
        await using var refused = await SentinelProcess.StartAsync(config, port);
        using var http = new HttpClient { BaseAddress = refused.Address, Timeout = TimeSpan.FromSeconds(30) };
        string? error = null;
        await Eventually.WaitAsync(
            async () =>
            {
                var pipelines = await http.GetFromJsonAsync<JsonElement>("api/pipelines");
                error = pipelines.GetProperty("pipelines").EnumerateArray()
                    .SelectMany(p => p.GetProperty("tables").EnumerateArray())
                    .SelectMany(t => t.GetProperty("sinks").EnumerateArray())
                    .Select(s => s.GetProperty("lastError").GetString())
                    .FirstOrDefault(e => e is not null);
                return error is not null && error.Contains("does not chain to the CA of caFile", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(90),
            () => $"the sink to report the refused certificate; last error: {error}\n{refused.LogTail(3000)}");
        output.WriteLine(error);
        error.ShouldNotBeNull().ShouldContain(s_otherCa);
        error.ShouldContain(clickHouse.Server.Authority);
        (await clickHouse.ScalarAsync<long>("SELECT count() FROM items WHERE id = 10001")).ShouldBe(0);
    }

    private static async Task WaitForRowsAsync(ClickHouseDatabase clickHouse, string sql, long expected, SentinelProcess sentinel)
    {
        long last = -1;
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    last = await clickHouse.ScalarAsync<long>(sql);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("doesn't exist", StringComparison.Ordinal))
                {
                    // The sink has not created the table yet.
                    return false;
                }

                return last == expected;
            },
            TimeSpan.FromSeconds(90),
            () => $"'{sql}' over https to give {expected}, last {last}\n{sentinel.LogTail(3000)}");
    }

    private static string Config(PostgresDatabase source, PostgresDatabase control, ClickHouseDatabase clickHouse, string caFile, int port) => $$"""
        controlDb: "{{control.ConnectionString}}"
        silo: { name: chtls-silo, httpPort: {{port}}, siloPort: {{port + 1}} }
        pipelines:
          - name: p
            source:
              postgres:
                connection: "{{source.ConnectionString}}"
                publication: {{source.Name}}
                slot: {{source.Name}}
                tables: ["public.*"]
                snapshot: initial
            sinks:
              - name: analytics
                clickhouse: { url: "{{clickHouse.Server}}", database: {{clickHouse.Name}}, caFile: {{caFile}} }
        """;
}
