namespace SentinelSync.Runtime;

/// <summary>
/// Rendezvous (highest random weight) hashing: a grain belongs to the live silo with the highest
/// <see cref="StableHash"/> of (grain type, key, silo name). When a silo joins or leaves, only the grains whose
/// top silo changed move (about 1/N of them), and every silo computes the same owner from the same view.
/// </summary>
internal static class RendezvousPlacement
{
    public static MembershipEntry? Owner(GrainId grainId, IReadOnlyList<MembershipEntry> silos)
    {
        MembershipEntry? best = null;
        var bestScore = 0UL;
        foreach (var silo in silos)
        {
            var score = StableHash.Of(grainId.Type, grainId.Key, silo.Name);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(silo.Name, best.Name) > 0))
            {
                best = silo;
                bestScore = score;
            }
        }

        return best;
    }
}
