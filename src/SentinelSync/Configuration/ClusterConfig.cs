using Orleans.Configuration;

namespace SentinelSync.Configuration;

/// <summary>
/// The <c>cluster</c> section: Orleans' failure detection (<c>ClusterMembershipOptions</c>). The defaults are
/// tighter than Orleans' own (which take about 14 s to declare a killed silo dead) so that pipelines of a dead
/// silo stream again on a survivor within a few seconds; loosen them on a slow or lossy network.
/// </summary>
public sealed class ClusterConfig
{
    /// <summary>How long a silo waits for a probe (ping) answer before counting it missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Missed probes in a row after which a silo suspects (votes against) another.</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>Silos that probe each silo.</summary>
    public int NumProbedSilos { get; set; } = 3;

    /// <summary>Suspicions (votes) needed to declare a silo dead.</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How long a suspicion vote counts.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each silo reads the membership table (besides being told of changes).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often each silo writes its I-am-alive time to the membership table.</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Sets Orleans' failure detection from this section (the silo host and the TestingHost clusters).</summary>
    public void ApplyTo(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumProbedSilos = NumProbedSilos;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
    }
}
