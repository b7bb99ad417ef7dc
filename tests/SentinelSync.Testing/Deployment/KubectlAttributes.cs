using Xunit;

namespace SentinelSync.Testing.Deployment;

/// <summary>
/// Whether <c>kubectl</c> is on the PATH. Debian 12 does not package a usable one (the build machines' image
/// has it): without it, the manifest checks are reported as skipped with the reason, never as passed.
/// </summary>
internal static class Kubectl
{
    public static readonly string? SkipReason =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "kubectl")))
            ? null
            : "skipped: kubectl is not installed (Debian 12 does not package it; install kubectl 1.27 or later to check k8s/)";
}

/// <summary>A test that builds k8s/ with <c>kubectl kustomize</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute() => Skip = Kubectl.SkipReason;
}

/// <summary>A data-driven test that builds k8s/ with <c>kubectl kustomize</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute() => Skip = Kubectl.SkipReason;
}
