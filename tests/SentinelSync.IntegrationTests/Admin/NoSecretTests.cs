using Npgsql;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary>
/// No secret in any log, API response or verb output, while things fail: the real <c>sentinel run</c> with a
/// password per connection string, a ClickHouse password the server refuses, a destination that cannot be
/// reached for a while, requests that echo what they were given, and configurations that cannot be used.
/// </summary>
public sealed class NoSecretTests(ITestOutputHelper output)
{
    /// <summary>Given through <c>${env:}</c>: a resolved reference is a secret too.</summary>
    private const string ReferencedSecret = "env-Ref-8e31b0";

    [Fact]
    public async Task No_secret_appears_in_the_log_the_api_or_the_verbs_while_sinks_fail_and_configurations_are_wrong()
    {
        await using var secured = await SecuredScenario.CreateAsync(PipelineSinks.Postgres | PipelineSinks.ClickHouse);
        var scenario = secured.Scenario;
        await scenario.Source.ExecuteAsync("CREATE TABLE items (id bigint PRIMARY KEY, name text); INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 500) g;");
        var logs = new List<string>();

        // First run: the destination's port is closed, and ClickHouse refuses the password.
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        var destination = scenario.Destination.ConnectionString;
        var unreachable = new NpgsqlConnectionStringBuilder(destination) { Port = SentinelProcess.FreePortPair() }.ConnectionString;
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace($"\"{destination};", $"\"{unreachable};", StringComparison.Ordinal));
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_HEADERS"] = $"api-key={ReferencedSecret}" };
        await using (var sentinel = await scenario.StartSentinelAsync(environment))
        {
            var last = "";
            await Eventually.WaitAsync(
                async () =>
                {
                    var (_, body) = await secured.SendAsync(HttpMethod.Get, "api/pipelines");
                    last = body;
                    return sentinel.Log.Contains($"{PipelineScenario.SinkName}", StringComparison.Ordinal)
                        && sentinel.Log.Contains("failed, retrying", StringComparison.Ordinal)
                        && sentinel.Log.Contains(PipelineScenario.ClickHouseSinkName, StringComparison.Ordinal)
                        && body.Contains("lastError\":\"", StringComparison.Ordinal);
                },
                TimeSpan.FromSeconds(90),
                () => $"both sinks failing in the log and in /api/pipelines; last report: {last}\nlog:\n{sentinel.Log}");
            output.WriteLine(last);

            // Every read verb, and requests that echo a secret back (an unknown pipeline, an unknown method).
            foreach (var verb in new[] { new[] { "status" }, ["pipelines"], ["pipelines", "--json"], ["grains", "--all"], ["dlq", "list"], ["dlq", "list", "--json"], ["call", "Source", "p", "GetStatusAsync"] })
            {
                var (exitCode, text) = await secured.VerbAsync(true, verb);
                exitCode.ShouldBe(0, text);
            }

            (await secured.VerbAsync(true, "pause", SecuredScenario.DestinationPassword)).ExitCode.ShouldBe(2);
            (await secured.VerbAsync(true, "call", "Source", "p", SecuredScenario.ClickHousePassword)).ExitCode.ShouldBe(2);
            var (code, echoed) = await secured.SendAsync(HttpMethod.Post, $"api/pipelines/{SecuredScenario.Password}/pause");
            code.ShouldBe(404, echoed);
            echoed.ShouldContain("********", Case.Sensitive, "the unknown pipeline's name is echoed, masked");
            foreach (var path in new[] { "api/cluster", "api/grains", "api/dlq", "metrics", "readyz" })
            {
                await secured.SendAsync(HttpMethod.Get, path);
            }

            // Killed: a graceful stop waits for the unreachable sink to drain, which it cannot.
            await sentinel.KillAsync();
            logs.Add(sentinel.Log);
        }

        // Second run: the destination is back, the Postgres sink catches up (ClickHouse still refuses the password,
        // so that sink never drains: killed rather than stopped).
        await File.WriteAllTextAsync(scenario.ConfigFile, config);
        await using (var sentinel = await scenario.StartSentinelAsync())
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(90), ("items", "id"));
            (await secured.VerbAsync(true, "pipelines")).ExitCode.ShouldBe(0);
            (await secured.VerbAsync(true, "dlq", "list")).ExitCode.ShouldBe(0);
            await sentinel.KillAsync();
            logs.Add(sentinel.Log);
        }

        // Configurations that cannot be used, or a silo that cannot start: the message names the problem, never the secret.
        var clickHouseUrl = $"http://default:{SecuredScenario.ClickHousePassword}@127.0.0.1:8123";
        var closedControl = new NpgsqlConnectionStringBuilder(scenario.Control.ConnectionString) { Port = SentinelProcess.FreePortPair(), Password = SecuredScenario.ControlPassword }.ConnectionString;
        var broken = new (string Yaml, int ExitCode, string Names)[]
        {
            (config.Replace("silo: { name: test-silo,", "silo: { name: test-silo, idleTimeout: \"${env:SENTINEL_TEST_SECRET}\",", StringComparison.Ordinal), 2, "silo.idleTimeout"),
            (config.Replace($"url: \"{scenario.ClickHouse!.Server}\"", $"url: \"{clickHouseUrl}\"", StringComparison.Ordinal), 2, "clickhouse.url"),
            (config.Replace($"\"{scenario.Control.ConnectionString};Password={SecuredScenario.ControlPassword}\"", $"\"{scenario.Control.ConnectionString};Password={SecuredScenario.ControlPassword};Bogus=1\"", StringComparison.Ordinal), 2, "controlDb"),
            (config.Replace($"\"{scenario.Control.ConnectionString};Password={SecuredScenario.ControlPassword}\"", $"\"{closedControl}\"", StringComparison.Ordinal), 1, "sentinel: the silo failed"),
        };
        var variables = new Dictionary<string, string> { ["SENTINEL_TEST_SECRET"] = ReferencedSecret, ["OTEL_EXPORTER_OTLP_HEADERS"] = $"api-key={ReferencedSecret}" };
        foreach (var (yaml, exitCode, names) in broken)
        {
            yaml.ShouldNotBe(config, "the broken configuration differs from the good one");
            var file = scenario.ConfigFile + ".broken.yaml";
            await File.WriteAllTextAsync(file, yaml);
            var run = await SentinelProcess.RunVerbAsync(variables, "run", "--config", file);
            output.WriteLine(run.Output);
            run.ExitCode.ShouldBe(exitCode, run.Output);
            run.Output.ShouldContain(names);
            logs.Add(run.Output);
        }

        secured.ShouldShowNoSecret(logs);
        foreach (var text in logs.Concat(secured.Outputs))
        {
            text.ShouldNotContain(ReferencedSecret);
        }
    }
}
