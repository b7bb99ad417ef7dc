namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Placement by rendezvous (highest random weight) hashing over the active silos' names: a grain belongs to
/// the silo with the highest <see cref="StableHash"/> of (grain type, key, silo name). When a silo joins or
/// leaves only the grains whose top silo changed move (about 1/N of them), and every silo computes the same
/// owner from the same view. Used for pipeline sources, so that pipelines spread over the cluster; their
/// table and sink grains follow them with Orleans' <c>[PreferLocalPlacement]</c>.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed class RendezvousPlacement : PlacementStrategy
{
    public static RendezvousPlacement Instance { get; } = new();

    /// <summary>The owner of (<paramref name="grainType"/>, <paramref name="key"/>) among <paramref name="siloNames"/> (null when empty).</summary>
    public static string? Owner(string grainType, string key, IEnumerable<string> siloNames)
    {
        string? best = null;
        var bestScore = 0UL;
        foreach (var silo in siloNames)
        {
            var score = StableHash.Of(grainType, key, silo);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(silo, best) > 0))
            {
                best = silo;
                bestScore = score;
            }
        }

        return best;
    }
}
