using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using SentinelSync.Replication.Grains;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Moves pipelines to silos that join: Orleans never moves a live activation, so on every membership change
/// this silo stops each local source whose rendezvous owner is now another active silo. The source drains
/// (its sinks apply what they hold, the slot is confirmed) and releases its lease; the pipeline keeper's next
/// call places it on its owner, whose activation waits for that lease. A silo that leaves moves nothing here:
/// its pipelines are placed anew on the survivors by the next call.
/// </summary>
public sealed partial class PipelineRebalancer(
    IClusterMembershipService membership,
    ILocalSiloDetails self,
    LocalSources sources,
    IGrainFactory grains,
    ILogger<PipelineRebalancer> logger)
{
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stop))
            {
                var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).ToList();
                if (!active.Contains(self.Name))
                {
                    continue;
                }

                foreach (var pipeline in sources.Pipelines)
                {
                    var owner = RendezvousPlacement.Owner(SourceGrain.GrainType, pipeline, active);
                    if (owner is not null && owner != self.Name)
                    {
                        LogMoving(logger, pipeline, owner);
                        try
                        {
                            await grains.GetGrain<ISourceGrain>(pipeline).StopAsync();
                        }
                        catch (Exception e) when (!stop.IsCancellationRequested)
                        {
                            // It stays here until the next membership change; it keeps streaming meanwhile.
                            LogMoveFailed(logger, pipeline, e);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline} moves to silo {Silo}, which joined: draining it here")]
    private static partial void LogMoving(ILogger logger, string pipeline, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline} could not be moved; it keeps running here")]
    private static partial void LogMoveFailed(ILogger logger, string pipeline, Exception error);
}
