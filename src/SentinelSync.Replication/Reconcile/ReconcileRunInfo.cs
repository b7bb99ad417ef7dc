namespace SentinelSync.Replication.Reconcile;

/// <summary>A run as started: its id (for <c>GET /api/reconcile/{id}</c>) and its state at that moment.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ReconcileRunInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Pipeline,
    [property: Id(2)] string Status);
