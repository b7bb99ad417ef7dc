using Orleans.Storage;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A durable write by an activation that no longer holds its grain's lease: another activation (epoch
/// <see cref="CurrentEpoch"/>) took over. Nothing was written; the stale activation must stop. An
/// <see cref="InconsistentStateException"/> (the stored state is no longer this activation's), so that Orleans'
/// storage bridge passes it to the grain and its callers as it is.
/// </summary>
[GenerateSerializer]
public sealed class GrainFencedException : InconsistentStateException
{
    public GrainFencedException(string grain, long epoch, long? currentEpoch)
        : base($"Grain {grain}: activation with epoch {epoch} was superseded (current epoch {currentEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); its write was refused.")
    {
        Grain = grain;
        Epoch = epoch;
        CurrentEpoch = currentEpoch;
    }

    [Id(0)]
    public string Grain { get; }

    [Id(1)]
    public long Epoch { get; }

    [Id(2)]
    public long? CurrentEpoch { get; }
}
