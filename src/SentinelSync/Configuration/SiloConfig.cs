namespace SentinelSync.Configuration;

/// <summary>The <c>silo</c> section: this process's name in the cluster and its HTTP endpoint.</summary>
public sealed class SiloConfig
{
    public string? Name { get; set; }

    public int HttpPort { get; set; } = 8080;

    /// <summary>The address the HTTP endpoint listens on; loopback unless set.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);
}
