using k8s;
using k8s.Models;
using SentinelSync.Hosting;
using SentinelSync.Testing.Deployment;

namespace SentinelSync.Tests.Deployment;

/// <summary>
/// k8s/ built with <c>kubectl kustomize</c> for both overlays, checked against the Kubernetes API's schemas offline
/// (kubernetes-models through eng/validate/manifests.mjs: types, required fields, enums; KubernetesClient's strict
/// reader: no unknown field), and what the silos need from it: Orleans' Kubernetes hosting, probes, a drain that
/// fits in the grace period, autoscaling on the lag.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new() { "dev", "prod" };

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public async Task Every_document_of_the_overlay_matches_the_API_schema(string overlay)
    {
        var manifests = await Tool.KustomizeAsync(overlay);

        var checkedBySchema = await Tool.RunAsync("node", ["eng/validate/manifests.mjs"], input: manifests);

        checkedBySchema.ExitCode.ShouldBe(0, checkedBySchema.ToString());
        checkedBySchema.Output.ShouldContain(" documents, 0 invalid");
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public async Task No_document_of_the_overlay_has_a_field_the_API_does_not_know(string overlay)
    {
        var builtIn = BuiltInDocuments(await Tool.KustomizeAsync(overlay)).ToList();

        builtIn.Count.ShouldBeGreaterThan(8);
        foreach (var document in builtIn)
        {
            Should.NotThrow(() => KubernetesYaml.LoadAllFromString(document, strict: true), document);
        }

        // The strict reader does refuse a misspelt field (so the loop above checks something).
        var statefulSet = builtIn.Single(d => IsKind(d, "StatefulSet"));
        Should.Throw<Exception>(() => KubernetesYaml.LoadAllFromString(statefulSet.Replace("terminationGracePeriodSeconds", "terminationGracePeriodSecond", StringComparison.Ordinal), strict: true));
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public async Task The_silo_pods_run_Orleans_Kubernetes_hosting_with_probes_and_time_to_drain(string overlay)
    {
        var silos = Single<V1StatefulSet>(await Tool.KustomizeAsync(overlay));
        var pod = silos.Spec.Template.Spec;
        var container = pod.Containers.Single();

        // The pod's identity from the downward API turns Orleans' Kubernetes hosting on, and names the silo.
        var fields = container.Env.Where(e => e.ValueFrom?.FieldRef is not null).ToDictionary(e => e.Name, e => e.ValueFrom.FieldRef.FieldPath);
        fields.ShouldBe(new Dictionary<string, string> { ["POD_NAME"] = "metadata.name", ["POD_NAMESPACE"] = "metadata.namespace", ["POD_IP"] = "status.podIP" }, ignoreOrder: true);
        KubernetesHosting.Variables.Where(v => v.StartsWith("POD_", StringComparison.Ordinal)).ShouldBe(fields.Keys, ignoreOrder: true);
        container.Env.Single(e => e.Name == "SENTINEL__SILO__NAME").Value.ShouldBe("$(POD_NAME)");
        container.Env.Single(e => e.Name == "SENTINEL__SILO__ADVERTISEDHOST").Value.ShouldBe("$(POD_IP)");
        pod.ServiceAccountName.ShouldBe("sentinel");
        silos.Spec.Template.Metadata.Labels["orleans/clusterId"].ShouldBe("sentinel");

        container.StartupProbe.HttpGet.Path.ShouldBe("/healthz");
        container.LivenessProbe.HttpGet.Path.ShouldBe("/healthz");
        container.ReadinessProbe.HttpGet.Path.ShouldBe("/readyz");

        // preStop, then the silo's own graceful stop (sources drain and confirm, Orleans leaves), must fit.
        var preStop = int.Parse(container.Lifecycle.PreStop.Exec.Command.Last(), System.Globalization.CultureInfo.InvariantCulture);
        pod.TerminationGracePeriodSeconds!.Value.ShouldBeGreaterThanOrEqualTo(preStop + (long)SiloHost.ShutdownTimeout.TotalSeconds + 10);

        container.SecurityContext.ReadOnlyRootFilesystem.ShouldBe(true);
        pod.SecurityContext.RunAsNonRoot.ShouldBe(true);
        container.VolumeMounts.ShouldContain(m => m.MountPath == "/tmp", "the only writable path: spill files");
        container.VolumeMounts.ShouldContain(m => m.MountPath == "/etc/sentinel");
        // Not /run/secrets itself: that would hide the service account's token (/var/run/secrets/kubernetes.io).
        container.VolumeMounts.Single(m => m.Name == "secrets").MountPath.ShouldBe("/run/secrets/sentinel");
        container.Resources.Requests.Keys.ShouldBe(["cpu", "memory"], ignoreOrder: true);
        container.Resources.Limits.Keys.ShouldBe(["cpu", "memory"], ignoreOrder: true);
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public async Task The_autoscaler_follows_CPU_and_the_pipeline_lag_and_scales_down_slowly(string overlay)
    {
        var manifests = await Tool.KustomizeAsync(overlay);
        var autoscaler = Single<V2HorizontalPodAutoscaler>(manifests);

        autoscaler.Spec.ScaleTargetRef.Kind.ShouldBe("StatefulSet");
        autoscaler.Spec.ScaleTargetRef.Name.ShouldBe(Single<V1StatefulSet>(manifests).Metadata.Name);
        autoscaler.Spec.Metrics.Single(m => m.Type == "Resource").Resource.Name.ShouldBe("cpu");
        autoscaler.Spec.Metrics.Single(m => m.Type == "External").External.Metric.Name.ShouldBe("sentinel_pipeline_lag_seconds");
        autoscaler.Spec.Behavior.ScaleDown.StabilizationWindowSeconds!.Value.ShouldBeGreaterThanOrEqualTo(300, "pipelines must not bounce between silos");
        autoscaler.Spec.MinReplicas!.Value.ShouldBeLessThanOrEqualTo(autoscaler.Spec.MaxReplicas);

        var budget = Single<V1PodDisruptionBudget>(manifests);
        budget.Spec.MaxUnavailable.Value.ShouldBe("1");
    }

    [KubectlFact]
    public async Task Dev_generates_its_demo_secret_and_prod_brings_the_monitoring_resources()
    {
        var dev = await Tool.KustomizeAsync("dev");
        var prod = await Tool.KustomizeAsync("prod");

        var secret = Single<V1Secret>(dev);
        Single<V1StatefulSet>(dev).Spec.Template.Spec.Volumes.Single(v => v.Name == "secrets").Secret.SecretName.ShouldBe(secret.Metadata.Name);
        secret.Data.Keys.ShouldBe(SecretFilesOfTheConfiguration(), ignoreOrder: true);
        Single<V1StatefulSet>(dev).Metadata.NamespaceProperty.ShouldBe("sentinel-dev");

        BuiltInDocuments(prod).ShouldNotContain(d => IsKind(d, "Secret"), "production secrets are not in the repository");
        prod.ShouldContain("kind: PrometheusRule");
        prod.ShouldContain("kind: PodMonitor");
        Single<V1StatefulSet>(prod).Spec.Replicas.ShouldBe(3);
        Single<V2HorizontalPodAutoscaler>(prod).Spec.MinReplicas.ShouldBe(3);
    }

    /// <summary>The files under /run/secrets/sentinel/ that k8s/base/sentinel.yaml reads.</summary>
    private static List<string> SecretFilesOfTheConfiguration() =>
        [.. System.Text.RegularExpressions.Regex.Matches(RepositoryFiles.Read("k8s/base/sentinel.yaml"), @"\$\{file:/run/secrets/sentinel/([a-z-]+)\}").Select(m => m.Groups[1].Value).Distinct()];

    private static T Single<T>(string manifests) where T : IKubernetesObject =>
        BuiltInDocuments(manifests).SelectMany(d => KubernetesYaml.LoadAllFromString(d)).OfType<T>().Single();

    private static bool IsKind(string document, string kind) => document.Split('\n').Contains($"kind: {kind}");

    /// <summary>The documents of Kubernetes' own kinds (the Prometheus operator's are checked by schema only).</summary>
    private static IEnumerable<string> BuiltInDocuments(string manifests) =>
        manifests.Split("\n---\n").Where(d => !d.Contains("apiVersion: monitoring.coreos.com/", StringComparison.Ordinal));
}
