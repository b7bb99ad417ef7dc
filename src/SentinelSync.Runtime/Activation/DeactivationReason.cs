namespace SentinelSync.Runtime;

/// <summary>Why an activation ends.</summary>
public enum DeactivationReason
{
    /// <summary>No call for the configured idle time.</summary>
    Idle,

    /// <summary>The grain asked for it (<c>DeactivateOnIdle</c>).</summary>
    Requested,

    /// <summary>The silo is stopping gracefully.</summary>
    SiloShutdown,

    /// <summary>Placement moved the grain to another silo.</summary>
    Rebalance,
}
