namespace SentinelSync.Runtime;

/// <summary>Timings of membership and failure detection (config section <c>silo.membership</c>).</summary>
public sealed class MembershipOptions
{
    /// <summary>How often a silo writes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a silo reads the table (refreshes its view and looks for silent silos).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose heartbeat is older than this gets suspicion votes.</summary>
    public TimeSpan DeathTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Votes older than this no longer count.</summary>
    public TimeSpan VoteExpiration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Unexpired votes needed to declare a silo dead (capped by the number of other active silos).</summary>
    public int VotesForDeath { get; set; } = 2;
}
