using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;
using SentinelSync.Replication.DeadLetters;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Admin;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>Builds the silo process: Kestrel on <c>silo.listen:silo.httpPort</c>, the Orleans silo, the admin API, the dashboards and the health endpoints.</summary>
internal static class SiloHost
{
    /// <summary>Within the 60 s the command line gives a stopping process: sources drain (30 s at most), then Orleans stops.</summary>
    internal static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(55);

    /// <summary>
    /// The silo's settings come from its YAML file and environment, read once. ASP.NET's default would watch the
    /// content root (the working directory) for changed appsettings files, recursively: one inotify watch per
    /// directory of whatever tree sentinel was started in (788 from a source checkout, 0.17 s of start-up;
    /// more from a larger tree, each counted against the user's inotify limit).
    /// </summary>
    internal const string NoConfigurationWatch = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>
    /// ASP.NET Core, and Orleans and its Polly pipelines, log every option, request and placement at Information:
    /// the console keeps what needs attention from them unless the configuration says otherwise.
    /// </summary>
    internal static readonly Dictionary<string, string?> DefaultLogLevels = new()
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:Orleans"] = nameof(LogLevel.Warning),
        ["Logging:LogLevel:Polly"] = nameof(LogLevel.Warning),
    };

    public static WebApplication Build(SentinelConfig config)
    {
        if (AdminAccess.Problem(config.Silo) is { } problem)
        {
            throw new InvalidOperationException($"silo.listen: {problem}");
        }

        var redactor = new Redactor(config);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [NoConfigurationWatch] });
        if (config.Silo.Tls is { } tls)
        {
            // Loaded once at start (the configuration check already proved it loads): a renewed certificate takes a restart.
            var certificate = X509Certificate2.CreateFromPemFile(tls.Certificate!, tls.Key!);
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.UseUrls($"https://{config.Silo.Listen}:{config.Silo.HttpPort}");
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }
        else
        {
            builder.WebHost.UseUrls($"http://{config.Silo.Listen}:{config.Silo.HttpPort}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSentinelConsole(redactor);
        // Under every other configuration source, so that Logging__LogLevel__Orleans=Information (or any
        // Logging:LogLevel setting) still changes them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLogLevels });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(redactor);
        builder.Services.AddSingleton(sp => new PipelineRegistry(config.Pipelines, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILoggerFactory>(), config.Masking));
        builder.Services.AddSingleton(sp => new DeadLetterStore(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton(sp => new AuditLog(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSentinelTelemetry(config);

        // Hosted services start in this order and stop in the reverse one: the control database is migrated
        // before Orleans joins the cluster on it; the keeper and rebalancer run while the silo is active, and
        // stop (draining the local pipelines) before Orleans deactivates the remaining grains and leaves.
        if (config.VaultSession is { } vault)
        {
            // First: the silo's start (Orleans joining, migrations) may outlast a short token TTL.
            builder.Services.AddHostedService(sp => new VaultRenewal(vault, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<VaultRenewal>>()));
        }

        builder.Services.AddHostedService<KafkaStartLog>();
        builder.Services.AddHostedService<ControlDatabaseMigration>();
        builder.AddSentinelSilo(config);
        builder.Services.AddSingleton<PipelineKeeper>();
        builder.Services.AddSingleton<SiloService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloService>());
        builder.Services.AddSentinelAdmin();

        var app = builder.Build();
        ReadyLog.WhenStarted(app);
        app.UseRedactedApi(redactor);
        app.UseAdminAccess(config, redactor);

        // Alive as soon as the process serves HTTP; ready once the silo runs (control database reached, schema migrated).
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (SiloService silo) => silo.IsReady ? Results.Text("ready") : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapSentinelMetrics();
        app.MapDeadLetters();
        app.MapAdmin();
        app.MapAudit();
        app.MapReconcile();
        app.MapErasure();
        app.MapGrains();
        if (config.Silo.Dashboard)
        {
            app.MapLazyOrleansDashboard("/orleans");
        }

        return app;
    }
}
