namespace SentinelSync.Configuration;

/// <summary>
/// The <c>vault</c> section: where <c>${vault:PATH#FIELD}</c> references are read from (HashiCorp Vault's HTTP API)
/// and how the silo logs in. <c>VAULT_ADDR</c> and <c>VAULT_TOKEN</c> apply when the keys are not set.
/// </summary>
public sealed class VaultConfig
{
    /// <summary>Vault's address, e.g. <c>https://vault.internal:8200</c>.</summary>
    public string? Address { get; set; }

    /// <summary>A Vault token (a secret: use <c>${file:...}</c> or <c>VAULT_TOKEN</c>); not needed with <see cref="Kubernetes"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Vault Enterprise namespace (<c>X-Vault-Namespace</c>), if any.</summary>
    public string? Namespace { get; set; }

    /// <summary>A PEM file of the CA that signed Vault's certificate, when it is not in the system's trust store.</summary>
    public string? CaFile { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kubernetes auth: logs in with the pod's service-account token instead of <see cref="Token"/>.</summary>
    public VaultKubernetesConfig? Kubernetes { get; set; }
}

/// <summary>Vault's Kubernetes auth method: <c>POST /v1/auth/{mount}/login {role, jwt}</c>.</summary>
public sealed class VaultKubernetesConfig
{
    public string? Role { get; set; }

    public string Mount { get; set; } = "kubernetes";

    public string JwtPath { get; set; } = "/var/run/secrets/kubernetes.io/serviceaccount/token";
}
