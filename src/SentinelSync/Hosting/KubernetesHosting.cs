using System.Collections;

namespace SentinelSync.Hosting;

/// <summary>
/// Whether a silo uses Orleans' Kubernetes hosting (<c>silo.kubernetes</c>): it reads the pod's name, namespace and
/// IP from the environment (the pod spec passes them through the downward API), reaches the API server with the
/// pod's service account, labels the pod with the cluster id, and has up to two silos watch the namespace's pods,
/// declaring dead any silo whose pod is gone and deleting the pods of silos declared dead, so a killed pod's
/// membership row does not linger until the failure detector votes it out.
/// </summary>
internal static class KubernetesHosting
{
    /// <summary>
    /// What it needs in the environment: the pod's identity (<c>KubernetesHostingOptions</c>) and the API server's
    /// address, which the kubelet sets in every pod (without it Orleans' agent stops the silo from starting).
    /// </summary>
    public static IReadOnlyList<string> Variables { get; } = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"];

    /// <summary>The variables of <see cref="Variables"/> that are not set.</summary>
    public static IReadOnlyList<string> Missing(IDictionary environment) =>
        [.. Variables.Where(v => string.IsNullOrWhiteSpace(environment[v] as string))];

    /// <summary>
    /// On when configured so (the configuration check refused <c>true</c> outside a pod), off when configured so,
    /// and when unset, on exactly when every variable is there: in a pod whose spec passes its identity.
    /// </summary>
    public static bool IsEnabled(bool? configured, IDictionary environment) => configured ?? Missing(environment).Count == 0;
}
