using System.Net;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Admin;

/// <summary><c>silo.dashboard: false</c> on a real silo: no Orleans dashboard is served, the rest is (DashboardTests covers the default).</summary>
public sealed class OrleansDashboardSwitchTests
{
    [Fact]
    public async Task A_silo_configured_without_the_orleans_dashboard_serves_none_and_still_replicates()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, name text)");
        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        await File.WriteAllTextAsync(scenario.ConfigFile, config.Replace("silo: { name: test-silo,", "silo: { name: test-silo, dashboard: false,", StringComparison.Ordinal));
        await using var sentinel = await scenario.StartSentinelAsync();

        using var http = new HttpClient { BaseAddress = scenario.Server };
        (await http.GetAsync("orleans/")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("dashboard")).StatusCode.ShouldBe(HttpStatusCode.OK, "SentinelSync's own dashboard stays");
        await scenario.Source.ExecuteAsync("INSERT INTO items VALUES (1, 'one')");
        await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
    }
}
