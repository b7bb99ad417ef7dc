using SentinelSync.Replication.Masking;
using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Configuration;

/// <summary>The configuration file of <c>sentinel run</c> (YAML or JSON; see the README for every key).</summary>
public sealed class SentinelConfig
{
    /// <summary>Connection string of the control database (Postgres): Orleans membership, leases, grain state, DLQ.</summary>
    public string? ControlDb { get; set; }

    public SiloConfig Silo { get; set; } = new();

    public ClusterConfig Cluster { get; set; } = new();

    public List<PipelineConfig> Pipelines { get; set; } = [];

    public TelemetryConfig Telemetry { get; set; } = new();

    /// <summary>Where <c>${vault:...}</c> references are read from; unused without such references.</summary>
    public VaultConfig Vault { get; set; } = new();

    /// <summary>Salt and keys of the sinks' masking transforms (<c>sinks[n].transforms</c>).</summary>
    public MaskingOptions Masking { get; set; } = new();

    /// <summary>
    /// Secrets found while loading that the bound settings do not show (values of <c>${env:}</c>/<c>${file:}</c>
    /// references, <c>SENTINEL_TOKEN</c>, OTLP header values): not a configuration key (not public, so not bound).
    /// </summary>
    internal IReadOnlyList<string> Secrets { get; set; } = [];

    /// <summary>The Vault client that resolved <c>${vault:}</c> references (null when none): its token and leases are renewed by <see cref="VaultRenewal"/>.</summary>
    internal VaultSecrets? VaultSession { get; set; }
}
