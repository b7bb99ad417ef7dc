using System.Net.Http.Json;
using System.Text.Json;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Grains;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>
/// What the autoscaler does to a cluster, with real processes: three pipelines under continuous writes on one silo,
/// scaled out to three silos (each pipeline moves, drained, to its rendezvous owner), then back to one (each stopped silo
/// hands its pipelines back and exits 0). Every destination table ends equal to its source, nothing dead-lettered;
/// a keyless append-only table per pipeline shows any change applied twice as a duplicate row.
/// </summary>
public sealed class SiloScalingTests(ITestOutputHelper output)
{
    private static readonly string[] s_pipelines = ["p1", "p2", "p3"];

    /// <summary>Three silos, a writer and the servers on two shared cores: a silo may take minutes to join.</summary>
    private static readonly TimeSpan s_patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Scaling_from_one_silo_to_three_and_back_under_writes_spreads_the_pipelines_and_loses_nothing()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        foreach (var pipeline in s_pipelines)
        {
            await scenario.Source.ExecuteAsync($"CREATE TABLE {pipeline}_rows (id bigint PRIMARY KEY, version bigint NOT NULL, note text)");
            await scenario.Source.ExecuteAsync($"INSERT INTO {pipeline}_rows SELECT g, 0, 'seed' FROM generate_series(1, 1000) g");
            await scenario.Source.ExecuteAsync($"CREATE TABLE {pipeline}_log (seq bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())");
        }

        await File.WriteAllTextAsync(scenario.ConfigFile, ThreePipelines(scenario));
        await using var first = await scenario.StartSentinelAsync();
        using var writes = new CancellationTokenSource();
        var writer = WriteAsync(scenario, writes.Token);
        await WaitForPipelinesAsync(first, silos => silos.Values.All(s => s == "test-silo"), "all three pipelines streaming on the one silo");

        await using var second = await scenario.StartAnotherSiloAsync("silo-b", s_patience);
        await using var third = await scenario.StartAnotherSiloAsync("silo-c", s_patience);
        // Each pipeline ends on its rendezvous owner among the three silos (for these names: two on silo-b, one on
        // silo-c), however the joins and the moves interleave: one move each, or a few more if a stale directory
        // entry brings one back before its owner registered it (moved again after 30 s, then 60 s).
        string[] three = ["test-silo", "silo-b", "silo-c"];
        var spread = await WaitForPipelinesAsync(
            first,
            silos => silos.All(p => p.Value == RendezvousPlacement.Owner(SourceGrain.GrainType, p.Key, three)),
            "every pipeline on its owner among the three silos");
        output.WriteLine($"with three silos: {string.Join(", ", spread.Select(p => $"{p.Key} on {p.Value}"))}");
        spread.Values.Distinct().Count().ShouldBe(2, "the pipelines spread over the new silos");

        (await third.StopAsync(s_patience)).ShouldBe(0, third.Log);
        (await second.StopAsync(s_patience)).ShouldBe(0, second.Log);
        await WaitForPipelinesAsync(first, silos => silos.Values.All(s => s == "test-silo"), "every pipeline back on the remaining silo");

        await writes.CancelAsync();
        var commits = await writer;
        output.WriteLine($"{commits} source transactions during the scaling");
        foreach (var pipeline in s_pipelines)
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(120), ($"{pipeline}_rows", "id"), ($"{pipeline}_log", "seq"));
            (await scenario.Destination.ScalarAsync<long>($"SELECT count(*) - count(DISTINCT seq) FROM {pipeline}_log")).ShouldBe(0, $"no insert into {pipeline}_log applied twice");
        }

        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "moving pipelines dead-letters nothing");
        (await first.StopAsync()).ShouldBe(0, first.Log);
    }

    /// <summary>The scenario's configuration with three pipelines, one table, publication and slot each, into one destination.</summary>
    private static string ThreePipelines(PipelineScenario scenario)
    {
        var config = File.ReadAllText(scenario.ConfigFile);
        var head = config[..config.IndexOf("pipelines:", StringComparison.Ordinal)];
        var pipelines = string.Concat(s_pipelines.Select(p => $$"""

              - name: {{p}}
                source:
                  postgres:
                    connection: "{{scenario.Source.ConnectionString}}"
                    publication: {{scenario.Source.Name}}_{{p}}
                    slot: {{scenario.Source.Name}}_{{p}}
                    tables: ["public.{{p}}_rows", "public.{{p}}_log"]
                    snapshot: initial
                sinks:
                  - name: {{PipelineScenario.SinkName}}
                    postgres: { connection: "{{scenario.Destination.ConnectionString}}" }
            """));
        return head + "pipelines:" + pipelines + "\n";
    }

    /// <summary>Inserts into, updates and deletes from the three tables until cancelled; returns the transactions committed.</summary>
    private static async Task<long> WriteAsync(PipelineScenario scenario, CancellationToken stop)
    {
        await using var connection = await scenario.Source.OpenConnectionAsync(CancellationToken.None);
        var commits = 0L;
        var next = 1_001L;
        while (!stop.IsCancellationRequested)
        {
            var pipeline = s_pipelines[commits % s_pipelines.Length];
            var table = pipeline + "_rows";
            await using var command = new Npgsql.NpgsqlCommand(
                $"""
                INSERT INTO {table} VALUES ({next}, 0, 'new');
                UPDATE {table} SET version = version + 1, note = 'updated' WHERE id = {1 + (next * 7 % 1000)};
                DELETE FROM {table} WHERE id = {next - 500} AND {next} % 10 = 0;
                INSERT INTO {pipeline}_log (seq) VALUES ({next});
                """,
                connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            commits++;
            next++;
            await Task.Delay(5, CancellationToken.None); // pacing the writer, not synchronisation
        }

        return commits;
    }

    /// <summary>Waits until every pipeline streams and the silos running them satisfy <paramref name="placed"/>.</summary>
    private static async Task<Dictionary<string, string>> WaitForPipelinesAsync(SentinelProcess silo, Func<Dictionary<string, string>, bool> placed, string what)
    {
        using var http = new HttpClient { BaseAddress = silo.Address };
        var silos = new Dictionary<string, string>();
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var report = await http.GetFromJsonAsync<JsonElement>("api/pipelines");
                last = report.ToString();
                var streaming = report.GetProperty("pipelines").EnumerateArray()
                    .Where(p => p.GetProperty("phase").GetString() == "streaming" && p.GetProperty("silo").ValueKind == JsonValueKind.String)
                    .ToList();
                silos = streaming.ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("silo").GetString()!);
                return silos.Count == s_pipelines.Length && placed(silos);
            },
            s_patience,
            () => $"{what}; last /api/pipelines: {last}");
        return silos;
    }
}
