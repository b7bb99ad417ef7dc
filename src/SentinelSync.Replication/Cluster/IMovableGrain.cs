namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A long-running grain placed by <see cref="RendezvousPlacement"/> (a pipeline's source, a Kafka partition) that
/// <see cref="PipelineRebalancer"/> may stop on a silo that no longer owns it: the next call places it on its owner.
/// </summary>
public interface IMovableGrain : IGrainWithStringKey
{
    /// <summary>Stops gracefully here (stop reading, let the sinks apply what they hold, confirm it) and deactivates.</summary>
    Task StopAsync();
}
