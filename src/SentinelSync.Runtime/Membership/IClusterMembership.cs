namespace SentinelSync.Runtime;

/// <summary>What the rest of the runtime needs of the membership agent: this silo's life in the table and its view of the cluster.</summary>
internal interface IClusterMembership : IAsyncDisposable
{
    string SiloName { get; }

    string SiloAddress { get; }

    /// <summary>Active silos, sorted by name; includes this silo once it is active.</summary>
    IReadOnlyList<MembershipEntry> ActiveSilos { get; }

    /// <summary>Raised when the set of active silos changes.</summary>
    event Action? ViewChanged;

    /// <summary>Raised once when this silo reads itself as dead: it must stop at once.</summary>
    event Action? DeclaredDead;

    Task JoinAsync(CancellationToken cancellationToken);

    Task BecomeActiveAsync(CancellationToken cancellationToken);

    Task RefreshAsync(CancellationToken cancellationToken);

    Task ShutDownAsync(CancellationToken cancellationToken);

    Task LeaveAsync(CancellationToken cancellationToken);

    void Pause();

    void Resume();

    void Abandon();
}
