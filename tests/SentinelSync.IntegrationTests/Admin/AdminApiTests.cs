using System.Text.Json;
using SentinelSync.IntegrationTests.Pipelines;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>The admin API and the admin verbs against the real <c>sentinel run</c> with a live pipeline.</summary>
public sealed class AdminApiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Api_and_cli_report_a_live_pipeline_refuse_requests_without_the_token_pause_across_a_restart_and_never_show_the_password()
    {
        await using var secured = await SecuredScenario.CreateAsync();
        var scenario = secured.Scenario;
        await scenario.Source.ExecuteAsync(Workload.Schema);
        await Workload.SeedAsync(scenario.Source, 2_000);
        await using var workload = Workload.Start(scenario.Source);
        var logs = new List<string>();
        var sentinel = await scenario.StartSentinelAsync();
        try
        {
            // Open without the token: health, metrics, the description, the dashboard page.
            foreach (var open in new[] { "healthz", "readyz", "metrics", "openapi.json", "dashboard" })
            {
                (await secured.SendAsync(HttpMethod.Get, open, token: null)).Status.ShouldBe(200, open);
            }

            (await secured.SendAsync(HttpMethod.Get, "openapi.json", token: null)).Body.ShouldContain("/api/pipelines/{name}/pause");

            // Everything under /api refuses a missing or wrong token.
            foreach (var path in new[] { "api/cluster", "api/pipelines", "api/grains", "api/dlq" })
            {
                (await secured.SendAsync(HttpMethod.Get, path, token: null)).Status.ShouldBe(401, path);
                (await secured.SendAsync(HttpMethod.Get, path, token: "wrong")).Status.ShouldBe(401, path);
            }

            (await secured.SendAsync(HttpMethod.Post, "api/pipelines/p/pause", token: null)).Status.ShouldBe(401);
            (await secured.SendAsync(HttpMethod.Post, "api/grains/Source/p/StopAsync", token: null)).Status.ShouldBe(401);

            // A live pipeline: streaming, rows applied, a rate while the workload runs, a lag measured at the source.
            JsonElement table = default;
            JsonElement pipeline = default;
            await Eventually.WaitAsync(
                async () =>
                {
                    pipeline = (await secured.GetJsonAsync("api/pipelines")).GetProperty("pipelines")[0];
                    var tables = pipeline.GetProperty("tables");
                    if (pipeline.GetProperty("phase").GetString() != "streaming" || tables.GetArrayLength() == 0)
                    {
                        return false;
                    }

                    table = tables[0];
                    var sink = table.GetProperty("sinks")[0];
                    return sink.GetProperty("appliedChanges").GetInt64() > 2_000 && sink.GetProperty("rowsPerSecond").GetDouble() > 0 && pipeline.GetProperty("lagBytes").ValueKind == JsonValueKind.Number;
                },
                TimeSpan.FromSeconds(60),
                () => $"pipeline p streaming with rows applied and a rate; last: {pipeline}");
            pipeline.GetProperty("name").GetString().ShouldBe("p");
            pipeline.GetProperty("silo").GetString().ShouldBe("test-silo");
            pipeline.GetProperty("source").GetString()!.ShouldContain("Password=********");
            table.GetProperty("table").GetString().ShouldBe("public.items");
            table.GetProperty("sinks")[0].GetProperty("sink").GetString().ShouldBe(PipelineScenario.SinkName);
            output.WriteLine(pipeline.ToString());

            var cluster = await secured.GetJsonAsync("api/cluster");
            var self = cluster.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "test-silo");
            self.GetProperty("status").GetString().ShouldBe("Active");
            self.GetProperty("self").GetBoolean().ShouldBeTrue();
            self.GetProperty("grains").GetProperty("Source").GetInt32().ShouldBe(1);
            self.GetProperty("grains").GetProperty("Table").GetInt32().ShouldBe(1);

            // The verbs: tables for people, JSON for scripts, exit codes.
            var status = await secured.VerbAsync(true, "status");
            status.ExitCode.ShouldBe(0, status.Output);
            status.Output.ShouldContain("test-silo");
            status.Output.ShouldContain("streaming");
            var pipelinesJson = await secured.VerbAsync(true, "pipelines", "--json");
            pipelinesJson.ExitCode.ShouldBe(0, pipelinesJson.Output);
            JsonDocument.Parse(pipelinesJson.Output).RootElement.GetProperty("pipelines")[0].GetProperty("tables")[0].GetProperty("table").GetString().ShouldBe("public.items");
            var pipelinesTable = await secured.VerbAsync(true, "pipelines");
            pipelinesTable.ExitCode.ShouldBe(0, pipelinesTable.Output);
            pipelinesTable.Output.ShouldContain("public.items");
            var grains = await secured.VerbAsync(true, "grains");
            grains.ExitCode.ShouldBe(0, grains.Output);
            grains.Output.ShouldContain("Source");
            (await secured.VerbAsync(false, "status")).ExitCode.ShouldBe(4);
            (await secured.VerbAsync(false, "call", "Source", "p", "GetStatusAsync")).ExitCode.ShouldBe(4);
            (await secured.VerbAsync(true, "pause", "nosuch")).ExitCode.ShouldBe(2);
            var unreachable = await SentinelProcess.RunVerbAsync("status", "--server", $"http://127.0.0.1:{SentinelProcess.FreePortPair()}", "--token", SecuredScenario.Token);
            unreachable.ExitCode.ShouldBe(3, unreachable.Output);

            // Pause: the source stops reading (its slot goes inactive and stays), the destination stops changing.
            var pause = await secured.VerbAsync(true, "pause", "p");
            pause.ExitCode.ShouldBe(0, pause.Output);
            pause.Output.ShouldContain("paused");
            await WaitForSlotAsync(scenario, active: false, "the slot to go inactive after pause");
            var commits = workload.Commits;
            var destinationRows = await DestinationRowsAsync(scenario);
            await Eventually.WaitAsync(() => Task.FromResult(workload.Commits > commits + 50), TimeSpan.FromSeconds(30), () => "50 source commits while paused");
            (await DestinationRowsAsync(scenario)).ShouldBe(destinationRows, "a paused pipeline applies nothing");

            // A restart stays paused.
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
            logs.Add(sentinel.Log);
            await sentinel.DisposeAsync();
            sentinel = await scenario.StartSentinelAsync();
            await Eventually.WaitAsync(
                async () => (await secured.GetJsonAsync("api/pipelines")).GetProperty("pipelines")[0].GetProperty("phase").GetString() == "paused",
                TimeSpan.FromSeconds(30),
                () => "pipeline p to report paused after the restart");
            (await SlotActiveAsync(scenario)).ShouldBeFalse("a paused pipeline does not read after a restart");

            // Resume: it catches up with everything written meanwhile.
            var resume = await secured.VerbAsync(true, "resume", "p");
            resume.ExitCode.ShouldBe(0, resume.Output);
            await workload.StopAsync();
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
            logs.Add(sentinel.Log);
        }
        finally
        {
            await sentinel.DisposeAsync();
        }

        // Logs are JSON lines (stdout is a file here), and no secret appears in any log or output.
        var entries = logs.SelectMany(l => l.Split('\n')).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        entries.ShouldContain(e => e.GetProperty("Category").GetString()!.StartsWith("SentinelSync", StringComparison.Ordinal));
        secured.ShouldShowNoSecret(logs);
    }

    [Fact]
    public async Task A_silo_listening_beyond_loopback_without_a_token_refuses_to_start()
    {
        // Refused while the configuration is checked, before any server is contacted.
        var file = Path.Combine(Path.GetTempPath(), $"open-silo-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $$"""
            controlDb: "{{TestServers.Postgres}}"
            silo: { name: open-silo, listen: 0.0.0.0, httpPort: {{SentinelProcess.FreePortPair()}} }
            """);
        try
        {
            var (exitCode, text) = await SentinelProcess.RunVerbAsync("run", "--config", file);
            exitCode.ShouldBe(2, text);
            text.ShouldContain("silo.listen");
            text.ShouldContain("silo.token");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_silo_port_already_in_use_fails_start_up_naming_the_key_before_joining_the_cluster()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var taken = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        await using var control = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        var file = Path.Combine(Path.GetTempPath(), $"clash-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $$"""
            controlDb: "{{control.ConnectionString}}"
            silo: { name: clash-silo, httpPort: {{SentinelProcess.FreePortPair()}}, siloPort: {{taken}} }
            """);
        try
        {
            var (exitCode, text) = await SentinelProcess.RunVerbAsync("run", "--config", file);
            exitCode.ShouldBe(2, text);
            text.ShouldContain($"silo.siloPort: port {taken} on 127.0.0.1 is not free");

            // Refused before anything touched the control database: no migration, no membership row.
            (await control.ScalarAsync<bool>("SELECT to_regclass('orleans.membership_silo') IS NULL")).ShouldBeTrue();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Task<long> DestinationRowsAsync(PipelineScenario scenario) =>
        scenario.Destination.ScalarAsync<long>("SELECT count(*) FROM items");

    private static async Task<bool> SlotActiveAsync(PipelineScenario scenario) =>
        await scenario.Source.ScalarAsync<bool>($"SELECT active FROM pg_replication_slots WHERE slot_name = '{scenario.Source.Name}'");

    private static Task WaitForSlotAsync(PipelineScenario scenario, bool active, string what) =>
        Eventually.WaitAsync(async () => await SlotActiveAsync(scenario) == active, TimeSpan.FromSeconds(30), () => what);
}
