using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Places a new activation on its rendezvous owner, by silo name, among the silos that can host it: those Orleans
/// finds compatible, and the active silos whose grain manifest this silo has not received yet.
/// </summary>
/// <remarks>
/// Orleans counts a silo compatible only once this silo holds that silo's grain manifest, which it asks for after
/// each membership change (retrying every 5 s, and again when membership changed meanwhile): a joining silo is left
/// out for a while after membership lists it active (1-2 s on a loaded test machine). The rebalancer moves a grain
/// to its owner as soon as it sees that silo active; placing it elsewhere then would undo the move. Every silo runs
/// the same <c>sentinel</c> build, so an active silo whose manifest is unknown does host these grain types; a silo
/// whose manifest is known and lacks the type is still left out.
/// </remarks>
public sealed partial class RendezvousPlacementDirector(
    IClusterMembershipService membership,
    IClusterManifestProvider manifests,
    ILogger<RendezvousPlacementDirector> logger) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var snapshot = membership.CurrentSnapshot;
        var manifest = manifests.Current;
        var compatible = context.GetCompatibleSilos(target);
        var unknown = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !manifest.Silos.ContainsKey(m.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToList();
        // A silo restarted under the same name briefly has two addresses: the newest generation is the live one.
        var byName = compatible.Concat(unknown)
            .GroupBy(s => snapshot.Members.TryGetValue(s, out var member) ? member.Name : s.ToString())
            .ToDictionary(g => g.Key, g => g.MaxBy(s => s.Generation)!, StringComparer.Ordinal);
        var grain = target.GrainIdentity;
        var owner = RendezvousPlacement.Owner(grain.Type.ToString()!, grain.Key.ToString()!, byName.Keys)
            ?? throw new InvalidOperationException($"No compatible silo to place {grain} on.");
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogPlaced(logger, grain, owner, string.Join(", ", byName.Keys.Order(StringComparer.Ordinal)), Names(unknown, snapshot), snapshot.Version.Value, manifest.Version.ToString());
        }

        return Task.FromResult(byName[owner]);
    }

    private static string Names(IEnumerable<SiloAddress> silos, ClusterMembershipSnapshot snapshot) =>
        string.Join(", ", silos.Select(s => snapshot.Members.TryGetValue(s, out var member) ? member.Name : s.ToString()));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Placing {Grain} on {Silo} among {Candidates} (active, manifest not received yet: {Unknown}; membership version {Membership}, manifest version {Manifest})")]
    private static partial void LogPlaced(ILogger logger, GrainId grain, string silo, string candidates, string unknown, long membership, string manifest);
}
