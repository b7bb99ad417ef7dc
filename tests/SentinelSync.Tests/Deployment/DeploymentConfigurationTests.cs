using System.Collections;
using SentinelSync.Configuration;
using SentinelSync.Testing.Deployment;

namespace SentinelSync.Tests.Deployment;

/// <summary>
/// The configuration files the compose stack and the Kubernetes manifests mount pass the same check as
/// <c>sentinel run</c> does before starting, with their secret files and environment as the containers give them.
/// </summary>
public sealed class DeploymentConfigurationTests
{
    [Fact]
    public void The_compose_stack_configuration_loads_with_its_secrets_and_each_silo_s_environment()
    {
        var secrets = RepositoryFiles.Path("docker/secrets");
        var config = Load("docker/sentinel.yaml", "/run/secrets/", secrets + "/", new Hashtable
        {
            ["CLICKHOUSE_PASSWORD"] = "sentinel-demo",
            ["SENTINEL__SILO__NAME"] = "silo-2",
            ["SENTINEL__SILO__ADVERTISEDHOST"] = "silo-2",
            // The image's own defaults (docker/Dockerfile ENV).
            ["SENTINEL__SILO__LISTEN"] = "0.0.0.0",
            ["SENTINEL__SILO__HTTPPORT"] = "8080",
        });

        config.Silo.Name.ShouldBe("silo-2");
        config.Silo.AdvertisedHost.ShouldBe("silo-2");
        config.Silo.Token.ShouldBe("sentinel-demo-token");
        config.Pipelines.Single().Sinks.Select(s => s.Name).ShouldBe(["warehouse", "analytics", "wide"]);
        var cassandra = config.Pipelines.Single().Sinks[2].Cassandra.ShouldNotBeNull();
        cassandra.ContactPoints.ShouldBe(["cassandra:9042"], "the compose service's name and CQL port");
        (cassandra.LocalDatacenter, cassandra.Compression).ShouldBe(("datacenter1", "lz4"));
    }

    [Fact]
    public void The_kubernetes_configuration_loads_with_the_dev_secret_s_files_and_a_pod_s_environment()
    {
        var secrets = Directory.CreateTempSubdirectory("sentinel-secrets-");
        try
        {
            foreach (var key in new[] { "control-db-password", "source-password", "destination-password", "token" })
            {
                File.WriteAllText(Path.Combine(secrets.FullName, key), $"{key}-value\n");
            }

            var config = Load("k8s/base/sentinel.yaml", "/run/secrets/sentinel/", secrets.FullName + "/", new Hashtable
            {
                ["SENTINEL__SILO__NAME"] = "sentinel-1",
                ["SENTINEL__SILO__ADVERTISEDHOST"] = "10.1.2.3",
            });

            config.Silo.Name.ShouldBe("sentinel-1");
            config.Silo.Listen.ShouldBe("0.0.0.0");
            config.Silo.Token.ShouldBe("token-value");
            config.Silo.Kubernetes.ShouldBeNull("on by detection in a pod, off elsewhere");
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    /// <summary>Loads a copy of <paramref name="relative"/> whose secret file paths point at <paramref name="secretsHere"/>.</summary>
    private static SentinelConfig Load(string relative, string secretsThere, string secretsHere, Hashtable environment)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"deployment-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(copy, RepositoryFiles.Read(relative).Replace(secretsThere, secretsHere, StringComparison.Ordinal));
        try
        {
            return SentinelConfigLoader.Load(copy, environment);
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
