using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Storage;

namespace SentinelSync.Replication.Cluster;

/// <summary>What SentinelSync adds to an Orleans silo (the <c>sentinel run</c> host and the TestingHost clusters of the tests).</summary>
public static class SentinelSiloBuilderExtensions
{
    /// <summary>
    /// Lease fencing, the fenced jsonb grain storage (<see cref="FencedGrainStorage.Name"/>), rendezvous placement,
    /// the rebalancer, the idempotent-retry, call-cycle and exception-wrapping filters. The silo's services must provide the control
    /// database as an <c>NpgsqlDataSource</c>, migrated (<see cref="ControlDatabase"/>).
    /// </summary>
    public static ISiloBuilder AddSentinelGrains(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ActivationEpochs>();
        silo.Services.AddSingleton<GrainLeases>();
        silo.Services.AddSingleton<LocalSources>();
        silo.Services.AddSingleton<PipelineRebalancer>();
        silo.Services.AddKeyedSingleton<IGrainStorage>(FencedGrainStorage.Name, (sp, _) => ActivatorUtilities.CreateInstance<FencedGrainStorage>(sp));
        silo.AddPlacementDirector<RendezvousPlacement, RendezvousPlacementDirector>();
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable, ControlDatabaseReminderTable>();
        silo.Services.AddSingleton<Reconcile.ReconcileStore>();
        silo.AddOutgoingGrainCallFilter<IdempotentRetryFilter>();
        var cycles = new CallCycleFilter();
        silo.AddIncomingGrainCallFilter(cycles);
        silo.AddOutgoingGrainCallFilter(cycles);
        silo.AddIncomingGrainCallFilter<ExceptionWrappingFilter>();
        return silo;
    }
}
