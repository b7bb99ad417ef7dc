using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>Registers the admin API's services; after the silo's hosted service, so the sampler stops first.</summary>
internal static class AdminServiceExtensions
{
    public static IServiceCollection AddSentinelAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Redactor(sp.GetRequiredService<SentinelConfig>()));
        services.AddSingleton(sp => new WalMarks(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<Replication.Erasure.Eraser>();
        services.AddSingleton<PipelineMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineMonitor>());
        return services;
    }
}
