namespace SentinelSync.Configuration;

/// <summary>The <c>silo</c> section: this process's name in the cluster and its HTTP endpoint.</summary>
public sealed class SiloConfig
{
    public string? Name { get; set; }

    public int HttpPort { get; set; } = 8080;

    /// <summary>The address the HTTP endpoint listens on; loopback unless set.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>Orleans' silo-to-silo port; 0 means <see cref="HttpPort"/> + 1.</summary>
    public int SiloPort { get; set; }

    /// <summary>Orleans' client gateway port, for Orleans clients outside the cluster; 0 (default) opens none.</summary>
    public int GatewayPort { get; set; }

    /// <summary>The host other silos reach this one at; defaults to <see cref="Listen"/>.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>
    /// Orleans' Kubernetes hosting (the pod's identity from the downward API, dead pods' silos declared dead):
    /// on when <c>true</c> (refused outside a pod), off when <c>false</c>, unset: on when <c>POD_NAME</c>,
    /// <c>POD_NAMESPACE</c>, <c>POD_IP</c> and <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c> are all set.
    /// </summary>
    public bool? Kubernetes { get; set; }

    /// <summary>A grain with no call for this long is deactivated (Orleans' collection age).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Serves the Orleans dashboard at <c>/orleans/</c> (default). It is served without the admin token, and adding it
    /// costs about a third of a silo's start-up CPU (≈ 1 of 3.3 CPU seconds measured here): <c>false</c> leaves it out.
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>The silo port actually used.</summary>
    internal int EffectiveSiloPort => SiloPort == 0 ? HttpPort + 1 : SiloPort;

    /// <summary>The ports this silo listens on, with the key that sets each (the gateway only when it is opened).</summary>
    internal IReadOnlyList<(string Key, int Port)> Ports =>
        GatewayPort == 0
            ? [("silo.httpPort", HttpPort), ("silo.siloPort", EffectiveSiloPort)]
            : [("silo.httpPort", HttpPort), ("silo.siloPort", EffectiveSiloPort), ("silo.gatewayPort", GatewayPort)];

    /// <summary>
    /// Bearer token the admin API (<c>/api/*</c>) requires when set; <c>SENTINEL_TOKEN</c> when unset here.
    /// Required when <see cref="Listen"/> is not a loopback address.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>HTTPS for the admin API, the dashboard, health and metrics when set; plain HTTP otherwise.</summary>
    public SiloTlsConfig? Tls { get; set; }

    /// <summary>
    /// Admin tokens with an id and a role (<c>viewer</c> or <c>operator</c>), beside or instead of
    /// <see cref="Token"/>, which stays an operator token with the id <c>silo.token</c>.
    /// </summary>
    public List<AdminTokenConfig> Tokens { get; set; } = [];
}

/// <summary><c>silo.tls</c>: the HTTP endpoint's certificate and key, PEM files (e.g. a Kubernetes TLS secret's <c>tls.crt</c> and <c>tls.key</c>).</summary>
public sealed class SiloTlsConfig
{
    public string? Certificate { get; set; }

    public string? Key { get; set; }
}
