using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Cluster;

/// <summary>
/// Orleans' Kubernetes hosting through the real process, as far as a machine without a cluster allows: it stays
/// off outside a pod even when the pod's identity variables are set (in a container, say), and asking for it
/// outside a pod is refused before anything starts. Inside a pod (API server, service account) it is not tested here.
/// </summary>
public sealed class KubernetesHostingTests
{
    private static readonly Dictionary<string, string> s_podIdentity = new()
    {
        ["POD_NAME"] = "sentinel-0",
        ["POD_NAMESPACE"] = "sentinel",
        ["POD_IP"] = "127.0.0.1",
    };

    [Fact]
    public async Task Outside_a_pod_the_silo_runs_without_it_and_asking_for_it_is_refused_naming_what_is_missing()
    {
        await using var scenario = await PipelineScenario.CreateAsync();
        await scenario.Source.ExecuteAsync("CREATE TABLE items (id bigint PRIMARY KEY)");
        await scenario.Source.ExecuteAsync("INSERT INTO items SELECT generate_series(1, 10)");

        await using (var sentinel = await scenario.StartSentinelAsync(s_podIdentity))
        {
            await scenario.WaitForConvergenceAsync(TimeSpan.FromSeconds(60), ("items", "id"));
            (await sentinel.StopAsync()).ShouldBe(0, sentinel.Log);
        }

        var config = await File.ReadAllTextAsync(scenario.ConfigFile);
        var forced = scenario.ConfigFile.Replace(".yaml", "_kubernetes.yaml", StringComparison.Ordinal);
        await File.WriteAllTextAsync(forced, config.Replace("silo: { name: test-silo,", "silo: { kubernetes: true, name: test-silo,", StringComparison.Ordinal));
        var (exitCode, output) = await SentinelProcess.RunVerbAsync(s_podIdentity, "run", "--config", forced);

        exitCode.ShouldBe(2, output);
        output.ShouldContain("silo.kubernetes: true needs a pod's environment, but KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT are not set");
    }
}
