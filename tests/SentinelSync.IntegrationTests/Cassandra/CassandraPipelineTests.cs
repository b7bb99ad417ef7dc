using System.Globalization;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Cassandra;

/// <summary>
/// Postgres to Cassandra through the real <c>sentinel run</c> process (skipped without
/// <see cref="TestServers.CassandraVariable"/>): snapshot under writes then streaming, SIGKILL mid-stream, and a restart
/// of the Cassandra node mid-stream (also needs <see cref="TestServers.CassandraRestartVariable"/>).
/// </summary>
public sealed class CassandraPipelineTests(ITestOutputHelper output)
{
    [CassandraFact]
    public async Task Snapshot_under_concurrent_writes_then_streaming_converge_in_Cassandra()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Cassandra);
        await using var target = await CassandraTarget.ConnectAsync(scenario.CassandraKeyspace!);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 5_000);

        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > 200), TimeSpan.FromSeconds(60), () => "200 source commits while replicating");
        await workload.StopAsync();

        await WaitForConvergenceAsync(scenario, target);
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0);
    }

    [CassandraFact]
    public async Task Kill_minus_9_mid_stream_twice_then_Cassandra_converges()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Cassandra);
        await using var target = await CassandraTarget.ConnectAsync(scenario.CassandraKeyspace!);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var workload = Workload.Start(scenario.Source);

        for (var kill = 1; kill <= 2; kill++)
        {
            await using var sentinel = await scenario.StartSentinelAsync();
            var commits = workload.Commits;
            await Eventually.WaitAsync(
                async () => workload.Commits > commits + 100 && await target.TableExistsAsync("items") && (await target.RowsAsync("items", "id")).Count > 0,
                TimeSpan.FromSeconds(90),
                () => $"100 commits and rows in Cassandra before kill {kill}");
            await sentinel.KillAsync();
        }

        await workload.StopAsync();
        await using (await scenario.StartSentinelAsync())
        {
            await WaitForConvergenceAsync(scenario, target);
        }
    }

    [CassandraRestartFact]
    public async Task A_node_restart_mid_stream_is_waited_out_and_Cassandra_converges_without_dead_letters()
    {
        await using var scenario = await PipelineScenario.CreateAsync(sinks: PipelineSinks.Cassandra);
        await using var target = await CassandraTarget.ConnectAsync(scenario.CassandraKeyspace!);
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var workload = Workload.Start(scenario.Source);
        await using var sentinel = await scenario.StartSentinelAsync();
        await Eventually.WaitAsync(
            async () => await target.TableExistsAsync("items") && (await target.RowsAsync("items", "id")).Count > 0,
            TimeSpan.FromSeconds(90),
            () => "rows in Cassandra before the restart");

        var restart = await SentinelSync.Testing.Deployment.Tool.RunAsync("/bin/sh", ["-c", TestServers.CassandraRestart!]);
        restart.ExitCode.ShouldBe(0, $"{TestServers.CassandraRestartVariable}: {restart}");
        var commits = workload.Commits;
        await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 200), TimeSpan.FromSeconds(120), () => "200 source commits after the restart");
        await workload.StopAsync();

        await WaitForConvergenceAsync(scenario, target);
        (await scenario.Control.ScalarAsync<long>("SELECT count(*) FROM sentinel.dead_letter")).ShouldBe(0, "an unavailable node is waited out, never dead-lettered");
        (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
    }

    private static async Task<List<string>> SourceRowsAsync(PipelineScenario scenario)
    {
        await using var connection = await scenario.Source.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id, name, price::text, note FROM items ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}|{reader.GetString(1)}|{(reader.IsDBNull(2) ? "NULL" : reader.GetString(2))}|{(reader.IsDBNull(3) ? "NULL" : reader.GetString(3))}"));
        }

        return rows;
    }

    /// <summary>Cassandra's rows of items (id, name, price, note) equal the source's, row by row.</summary>
    private async Task WaitForConvergenceAsync(PipelineScenario scenario, CassandraTarget target)
    {
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var source = await SourceRowsAsync(scenario);
                if (!await target.TableExistsAsync("items"))
                {
                    last = "items not created in Cassandra yet";
                    return false;
                }

                var cassandra = (await target.RowsAsync("items", "id", "name", "price", "note")).OrderBy(r => (long)r[0]!)
                    .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r[0]}|{r[1]}|{(r[2] is CqlDecimal d ? d.ToString() : "NULL")}|{r[3] ?? "NULL"}")).ToList();
                var firstDifference = source.Zip(cassandra).FirstOrDefault(p => p.First != p.Second);
                last = $"source {source.Count} rows, Cassandra {cassandra.Count}; first difference: {firstDifference}";
                return source.SequenceEqual(cassandra);
            },
            TimeSpan.FromSeconds(180),
            () => $"Cassandra to converge to the source: {last}");
        output.WriteLine(last);
    }
}
