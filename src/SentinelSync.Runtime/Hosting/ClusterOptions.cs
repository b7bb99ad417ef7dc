namespace SentinelSync.Runtime;

/// <summary>How a silo joins a cluster: its silo-to-silo endpoint and the membership timings.</summary>
public sealed class ClusterOptions
{
    /// <summary>The address other silos reach this one at (its host part; the port is <see cref="SiloPort"/>).</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>The interface the silo-to-silo endpoint listens on.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The silo-to-silo port (HTTP/2 without TLS); 0 picks a free port.</summary>
    public int SiloPort { get; set; }

    public MembershipOptions Membership { get; set; } = new();

    /// <summary>A cross-silo call that has no answer after this long fails with <see cref="TimeoutException"/>.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an activation waits for another live silo to release the grain's lease (rebalancing) before failing.</summary>
    public TimeSpan LeaseWaitTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
