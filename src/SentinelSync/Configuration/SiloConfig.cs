namespace SentinelSync.Configuration;

/// <summary>The <c>silo</c> section: this process's name in the cluster and its HTTP endpoint.</summary>
public sealed class SiloConfig
{
    public string? Name { get; set; }

    public int HttpPort { get; set; } = 8080;

    /// <summary>The address the HTTP endpoint listens on; loopback unless set.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>The silo-to-silo port (HTTP/2); 0 means <see cref="HttpPort"/> + 1.</summary>
    public int SiloPort { get; set; }

    /// <summary>The host other silos reach this one at; defaults to <see cref="Listen"/>.</summary>
    public string? AdvertisedHost { get; set; }

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Bearer token the admin API (<c>/api/*</c>) requires when set; <c>SENTINEL_TOKEN</c> when unset here.
    /// Required when <see cref="Listen"/> is not a loopback address.
    /// </summary>
    public string? Token { get; set; }
}
