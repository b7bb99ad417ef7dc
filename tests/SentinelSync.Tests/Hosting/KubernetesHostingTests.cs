using System.Collections;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed class KubernetesHostingTests
{
    private static readonly Hashtable s_pod = new() { ["POD_NAME"] = "sentinel-0", ["POD_NAMESPACE"] = "sentinel", ["POD_IP"] = "10.1.2.3" };

    [Fact]
    public void Unset_it_is_on_exactly_when_the_pod_identity_is_in_the_environment()
    {
        KubernetesHosting.IsEnabled(null, s_pod).ShouldBeTrue();
        KubernetesHosting.IsEnabled(null, new Hashtable { ["POD_NAME"] = "sentinel-0" }).ShouldBeFalse();
        KubernetesHosting.IsEnabled(null, new Hashtable()).ShouldBeFalse();
    }

    [Fact]
    public void False_turns_it_off_in_a_pod_and_true_without_the_pod_identity_names_what_is_missing()
    {
        KubernetesHosting.IsEnabled(false, s_pod).ShouldBeFalse();
        KubernetesHosting.IsEnabled(true, s_pod).ShouldBeTrue();

        var error = Should.Throw<InvalidOperationException>(() => KubernetesHosting.IsEnabled(true, new Hashtable { ["POD_NAME"] = "sentinel-0" }));
        error.Message.ShouldContain("silo.kubernetes");
        error.Message.ShouldContain("POD_NAMESPACE, POD_IP are not set");
    }
}
