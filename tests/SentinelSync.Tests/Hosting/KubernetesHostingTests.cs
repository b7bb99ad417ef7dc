using System.Collections;
using SentinelSync.Configuration;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed class KubernetesHostingTests
{
    private static Hashtable Pod() => new()
    {
        ["POD_NAME"] = "sentinel-0",
        ["POD_NAMESPACE"] = "sentinel",
        ["POD_IP"] = "10.1.2.3",
        ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
        ["KUBERNETES_SERVICE_PORT"] = "443",
    };

    [Fact]
    public void Unset_it_is_on_exactly_in_a_pod_that_passes_its_identity()
    {
        KubernetesHosting.IsEnabled(null, Pod()).ShouldBeTrue();

        var withoutApiServer = Pod();
        withoutApiServer.Remove("KUBERNETES_SERVICE_HOST");
        KubernetesHosting.IsEnabled(null, withoutApiServer).ShouldBeFalse("a container outside Kubernetes that happens to set POD_NAME");

        var withoutIdentity = Pod();
        withoutIdentity.Remove("POD_IP");
        KubernetesHosting.IsEnabled(null, withoutIdentity).ShouldBeFalse();
        KubernetesHosting.IsEnabled(false, Pod()).ShouldBeFalse();
    }

    [Fact]
    public void True_outside_a_pod_is_refused_by_the_configuration_check_naming_what_is_missing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kubernetes-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            controlDb: "Host=127.0.0.1;Port=5433;Database=sentinel;Username=postgres"
            silo: { name: s1, kubernetes: true }
            """);
        try
        {
            var environment = new Hashtable { ["POD_NAME"] = "sentinel-0", ["POD_NAMESPACE"] = "sentinel" };
            var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, environment));
            error.Message.ShouldContain("silo.kubernetes");
            error.Message.ShouldContain("POD_IP, KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT are not set");

            SentinelConfigLoader.Load(file, Pod()).Silo.Kubernetes.ShouldBe(true);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
