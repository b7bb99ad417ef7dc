using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace SentinelSync.Replication.Cluster;

/// <summary>Chooses, among the silos Orleans finds compatible for a new activation, the rendezvous owner by silo name.</summary>
public sealed class RendezvousPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var members = membership.CurrentSnapshot.Members;
        var byName = context.GetCompatibleSilos(target)
            .GroupBy(s => members.TryGetValue(s, out var member) ? member.Name : s.ToString())
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var owner = RendezvousPlacement.Owner(target.GrainIdentity.Type.ToString()!, target.GrainIdentity.Key.ToString()!, byName.Keys)
            ?? throw new InvalidOperationException($"No compatible silo to place {target.GrainIdentity} on.");
        return Task.FromResult(byName[owner]);
    }
}
