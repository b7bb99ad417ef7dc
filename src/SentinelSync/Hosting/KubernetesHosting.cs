using System.Collections;

namespace SentinelSync.Hosting;

/// <summary>
/// Whether a silo uses Orleans' Kubernetes hosting (<c>silo.kubernetes</c>): it reads the pod's name, namespace and
/// IP from the environment (the pod spec passes them through the downward API), labels the pod with the cluster
/// id, and has up to two silos watch the namespace's pods, declaring dead any silo whose pod is gone and deleting
/// the pods of silos declared dead, so a killed pod's membership row does not linger until the failure detector
/// votes it out.
/// </summary>
internal static class KubernetesHosting
{
    /// <summary>The variables Orleans' Kubernetes hosting reads (<c>KubernetesHostingOptions</c>).</summary>
    public static IReadOnlyList<string> PodVariables { get; } = ["POD_NAME", "POD_NAMESPACE", "POD_IP"];

    /// <summary>On when configured so, or when unset and every pod variable is there.</summary>
    /// <exception cref="InvalidOperationException"><c>silo.kubernetes: true</c> while a pod variable is missing.</exception>
    public static bool IsEnabled(bool? configured, IDictionary environment)
    {
        var missing = PodVariables.Where(v => string.IsNullOrWhiteSpace(environment[v] as string)).ToList();
        return configured switch
        {
            false => false,
            true when missing.Count > 0 => throw new InvalidOperationException(
                $"silo.kubernetes: true needs the pod's identity in the environment, but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set (pass them with the downward API: metadata.name, metadata.namespace, status.podIP)."),
            true => true,
            null => missing.Count == 0,
        };
    }
}
