using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// Every Postgres connection of a silo over TLS with verify-full and a client certificate: the source (queries and
/// the replication stream), the sink and the control database all live on the TLS test cluster (15/sentinel_tls),
/// which refuses any TCP connection without TLS and a certificate signed by the test CA. A source whose server
/// certificate does not chain to the configured CA is refused, and the pipeline says why.
/// </summary>
public sealed class TlsPipelineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pipeline_replicates_with_every_connection_verify_full_and_a_wrong_CA_is_refused_naming_the_certificate()
    {
        await using var source = await PostgresDatabase.CreateAsync(TestServers.PostgresTls, "tls_src");
        await using var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresTls, "tls_dst");
        await using var control = await PostgresDatabase.CreateAsync(TestServers.PostgresTls, "tls_ctl");
        await source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(source, 1_000);

        var port = SentinelProcess.FreePortPair();
        var config = Path.Combine(Path.GetTempPath(), $"{source.Name}.yaml");
        await File.WriteAllTextAsync(config, Config(control, source.ConnectionString, destination, port));
        await using (var sentinel = await SentinelProcess.StartAsync(config, port))
        {
            await Eventually.WaitAsync(
                async () => await TablesAsync(destination) == 1 && await PipelineScenario.ChecksumAsync(destination, "items", "id") == await PipelineScenario.ChecksumAsync(source, "items", "id"),
                TimeSpan.FromSeconds(90),
                () => $"the destination to equal the source over TLS\n{sentinel.LogTail(3000)}");
            await source.ExecuteAsync("UPDATE items SET name = 'streamed over TLS' WHERE id <= 10; DELETE FROM items WHERE id > 990");
            await Eventually.WaitAsync(
                async () => await PipelineScenario.ChecksumAsync(destination, "items", "id") == await PipelineScenario.ChecksumAsync(source, "items", "id"),
                TimeSpan.FromSeconds(60),
                () => "streamed changes to arrive over TLS");

            // Every backend of the three databases, the walsender included, is a TLS one (the cluster allows no other).
            var connections = await source.ScalarAsync<string>($"""
                SELECT string_agg(a.backend_type || ':' || coalesce(a.datname, '-') || ':' || s.ssl || ':' || coalesce(s.version, ''), ', ')
                FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                WHERE a.datname IN ('{source.Name}', '{destination.Name}', '{control.Name}') AND a.pid <> pg_backend_pid()
                """);
            output.WriteLine(connections);
            connections.ShouldContain("walsender");
            connections.ShouldNotContain(":false:");
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        }

        // The same source with a CA that did not sign its certificate: refused, and the pipeline says why.
        var wrongCa = source.ConnectionString.Replace("ca.crt", "other-ca.crt", StringComparison.Ordinal);
        wrongCa.ShouldContain("other-ca.crt");
        await File.WriteAllTextAsync(config, Config(control, wrongCa, destination, port));
        await using var refused = await SentinelProcess.StartAsync(config, port);
        using var http = new HttpClient { BaseAddress = refused.Address, Timeout = TimeSpan.FromSeconds(30) };
        JsonElement pipeline = default;
        await Eventually.WaitAsync(
            async () =>
            {
                pipeline = (await http.GetFromJsonAsync<JsonElement>("api/pipelines")).GetProperty("pipelines")[0];
                return pipeline.GetProperty("error").GetString() is { } error && error.Contains("remote certificate", StringComparison.OrdinalIgnoreCase)
                    && pipeline.GetProperty("lastError").GetString() is { } reason && reason.Contains("remote certificate", StringComparison.OrdinalIgnoreCase);
            },
            TimeSpan.FromSeconds(60),
            () => $"/api/pipelines to say the source's certificate was refused; last: {pipeline}");
        output.WriteLine(pipeline.GetProperty("error").GetString());
    }

    private static string Config(PostgresDatabase control, string sourceConnection, PostgresDatabase destination, int port) => $$"""
        controlDb: "{{control.ConnectionString}}"
        silo: { name: tls-silo, httpPort: {{port}}, siloPort: {{port + 1}} }
        pipelines:
          - name: p
            source:
              postgres:
                connection: "{{sourceConnection}}"
                publication: p_tls
                slot: {{control.Name}}
                tables: ["public.*"]
                snapshot: initial
            sinks:
              - name: warehouse
                postgres: { connection: "{{destination.ConnectionString}}" }
        """;

    private static Task<long> TablesAsync(PostgresDatabase database) =>
        database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'items'");
}
