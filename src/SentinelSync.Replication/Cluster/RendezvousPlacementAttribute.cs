using Orleans.Placement;

namespace SentinelSync.Replication.Cluster;

/// <summary>Places the grain class with <see cref="RendezvousPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RendezvousPlacementAttribute() : PlacementAttribute(RendezvousPlacement.Instance);
