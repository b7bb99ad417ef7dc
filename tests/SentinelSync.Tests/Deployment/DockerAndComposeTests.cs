using SentinelSync.Testing.Deployment;
using YamlDotNet.Serialization;

namespace SentinelSync.Tests.Deployment;

/// <summary>
/// docker/: the Dockerfile linted offline (dockerfile-utils through eng/validate/dockerfile.mjs: there is no hadolint
/// and no Docker daemon here) and held to what the image promises; the compose file through <c>docker-compose config</c>;
/// every YAML file of the deployment through yamllint.
/// </summary>
public sealed class DockerAndComposeTests
{
    [Fact]
    public async Task The_Dockerfile_lints_clean_and_builds_a_non_root_sentinel_image_with_a_health_check()
    {
        var lint = await Tool.RunAsync("node", ["eng/validate/dockerfile.mjs", "docker/Dockerfile"]);
        lint.ExitCode.ShouldBe(0, lint.ToString());

        var lines = RepositoryFiles.Read("docker/Dockerfile").Split('\n').Select(l => l.Trim()).ToList();
        lines.ShouldContain(l => l.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal) && l.EndsWith(" AS build", StringComparison.Ordinal));
        lines.Last(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ShouldStartWith("FROM mcr.microsoft.com/dotnet/runtime-deps:"); // self-contained: the runtimes are in /app
        lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)).ShouldBe("USER $APP_UID");
        lines.ShouldContain("ENTRYPOINT [\"sentinel\"]");
        lines.ShouldContain("CMD [\"run\", \"--config\", \"/etc/sentinel/sentinel.yaml\"]");
        string.Join("\n", lines).ShouldContain("/healthz");
        lines.ShouldContain(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));

        // What the build stage copies is in the repository and not excluded by .dockerignore.
        var ignored = RepositoryFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var copied in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", "src/" })
        {
            RepositoryFiles.Path(copied);
            ignored.ShouldNotContain(copied);
        }
    }

    [Fact]
    public async Task The_compose_stack_is_valid_and_runs_two_silos_on_one_control_database_with_the_monitoring()
    {
        var check = await Tool.RunAsync("docker-compose", ["-f", "docker/docker-compose.yml", "config", "-q"]);
        check.ExitCode.ShouldBe(0, check.ToString());
        check.Errors.ShouldBeEmpty("no key ignored by Compose");

        var compose = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>((await Tool.RunAsync("docker-compose", ["-f", "docker/docker-compose.yml", "config"])).Output);
        var services = (Dictionary<object, object>)compose["services"];
        services.Keys.ShouldBe(["source-db", "destination-db", "clickhouse", "kafka", "cassandra", "silo-1", "silo-2", "shop-writer", "prometheus", "grafana"], ignoreOrder: true);
        foreach (var server in new[] { "source-db", "destination-db", "clickhouse", "kafka", "cassandra", "prometheus", "grafana" })
        {
            ((Dictionary<object, object>)services[server]).Keys.ShouldContain("healthcheck", server);
        }

        ((List<object>)((Dictionary<object, object>)services["source-db"])["command"]).ShouldContain("wal_level=logical");
        foreach (var silo in new[] { "silo-1", "silo-2" })
        {
            var service = (Dictionary<object, object>)services[silo];
            service["read_only"].ShouldBe("true");
            ((List<object>)service["volumes"]).Cast<string>().ShouldContain(v => v.EndsWith("/docker/sentinel.yaml:/etc/sentinel/sentinel.yaml:ro", StringComparison.Ordinal));
            ((List<object>)service["secrets"]).Cast<Dictionary<object, object>>().Select(s => (string)s["source"]).ShouldBe(["postgres_password", "sentinel_token"], ignoreOrder: true);
            ((Dictionary<object, object>)service["environment"])["SENTINEL__SILO__NAME"].ShouldBe(silo);
            ((Dictionary<object, object>)service["depends_on"]).Keys.ShouldContain("cassandra", "the silos write to the Cassandra sink 'wide'");
        }

        RepositoryFiles.Read("deploy/prometheus/prometheus.yml").ShouldContain("[\"silo-1:8080\", \"silo-2:8080\"]");
    }

    [Fact]
    public async Task Every_deployment_yaml_file_passes_yamllint()
    {
        var lint = await Tool.RunAsync("yamllint", ["--strict", "-c", ".yamllint.yaml", "docker", "k8s", "deploy", ".yamllint.yaml"]);

        lint.ExitCode.ShouldBe(0, lint.ToString());
    }
}
