using System.Net;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using SentinelSync.Configuration;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Hosting;

/// <summary>
/// The Orleans silo of a <c>sentinel run</c> process: ADO.NET clustering on the control database (schema
/// <c>orleans</c>), failure detection from the <c>cluster</c> section, grain state in the control database
/// fenced by lease epochs, rendezvous placement, the idempotent-retry and call-cycle filters, the dashboard, and
/// Orleans' Kubernetes hosting when running in a pod (<see cref="KubernetesHosting"/>).
/// </summary>
internal static class OrleansSilo
{
    /// <summary>
    /// Connections one silo keeps to the control database for leases, grain state, dead letters and ClickHouse
    /// offsets (unless the connection string says otherwise): hundreds of activations on several silos must not
    /// exhaust the server's max_connections (100 by default).
    /// </summary>
    public const int ControlPoolSize = 20;

    /// <summary>Connections of Orleans' membership provider (a few queries per second).</summary>
    public const int ClusteringPoolSize = 4;

    /// <summary>How often the Orleans dashboard samples its counters.</summary>
    internal const int DashboardCounterIntervalMs = 5_000;

    /// <summary>Grain addresses a silo's directory cache holds at most (Orleans' default: 1,000,000).</summary>
    internal const int DirectoryCacheSize = 100_000;

    /// <summary>How long a grain may take to deactivate: a source drains its sinks (up to 30 s) before it confirms.</summary>
    private static readonly TimeSpan s_deactivationTimeout = TimeSpan.FromMinutes(2);

    public static void AddSentinelSilo(this WebApplicationBuilder builder, SentinelConfig config)
    {
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(WithPoolSize(config.ControlDb!, ControlPoolSize)));
        var kubernetes = KubernetesHosting.IsEnabled(config.Silo.Kubernetes, Environment.GetEnvironmentVariables());
        builder.UseOrleans(silo =>
        {
            if (kubernetes)
            {
                // First, so that the settings below (silo name, endpoints, cluster id) are the ones in force: the pod
                // spec sets silo.name and silo.advertisedHost from the same pod name and IP.
                silo.UseKubernetesHosting();
            }

            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("sentinel", "sentinel"));
            silo.Configure<SiloOptions>(o => o.SiloName = config.Silo.Name!);
            silo.Configure<EndpointOptions>(o =>
            {
                var listen = IPAddress.Parse(config.Silo.Listen);
                o.AdvertisedIPAddress = Advertised(config.Silo);
                o.SiloPort = config.Silo.EffectiveSiloPort;
                o.SiloListeningEndpoint = new IPEndPoint(listen, o.SiloPort);
                o.GatewayPort = config.Silo.GatewayPort;
                o.GatewayListeningEndpoint = config.Silo.GatewayPort == 0 ? null : new IPEndPoint(listen, config.Silo.GatewayPort);
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = new NpgsqlConnectionStringBuilder(WithPoolSize(config.ControlDb!, ClusteringPoolSize)) { SearchPath = "orleans" }.ConnectionString;
            });
            silo.Configure<ClusterMembershipOptions>(config.Cluster.ApplyTo);
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionAge = config.Silo.IdleTimeout;
                o.DeactivationTimeout = s_deactivationTimeout;
            });
            // Orleans sizes its directory cache for a million grains up front (two 9.3 MB arrays in every silo, even
            // idle). A silo here holds a grain per table, sink and Kafka partition: a tenth of that is ample.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = DirectoryCacheSize);
            silo.AddSentinelGrains();
            if (config.Silo.Dashboard)
            {
                // The live log stream stays off: the dashboard is served without the admin token (like /metrics).
                // Counters every 5 s, not every second: each sample reads Orleans' own gauges (the directory cache
                // size among them), 4-5 % of a draining silo's sampled time at 1 s.
                silo.AddDashboard(o =>
                {
                    o.HideTrace = true;
                    o.CounterUpdateIntervalMs = DashboardCounterIntervalMs;
                });
            }
        });
    }

    private static IPAddress Advertised(SiloConfig silo)
    {
        var host = silo.AdvertisedHost ?? silo.Listen;
        if (IPAddress.TryParse(host, out var address))
        {
            return address.Equals(IPAddress.Any) ? IPAddress.Loopback : address;
        }

        return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"silo.advertisedHost: '{host}' does not resolve to an IPv4 address.");
    }

    private static string WithPoolSize(string connectionString, int size)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = size;
        }

        return builder.ConnectionString;
    }
}
