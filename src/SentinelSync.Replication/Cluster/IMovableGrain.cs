namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A long-running grain placed by <see cref="RendezvousPlacement"/> (a pipeline's source, a Kafka partition) that
/// <see cref="PipelineRebalancer"/> moves off a silo that no longer owns it.
/// </summary>
public interface IMovableGrain : IGrainWithStringKey
{
    /// <summary>Stops gracefully here (stop reading, let the sinks apply what they hold, confirm it) and deactivates.</summary>
    Task StopAsync();

    /// <summary>
    /// Unless this activation runs on silo <paramref name="owner"/>: stops gracefully like <see cref="StopAsync"/>,
    /// then Orleans migrates the activation to the silo placement chooses (the rendezvous owner). Unlike a stop,
    /// the grain directory passes from this activation to the new one without a moment where it names none, so
    /// callers whose directory cache still names this silo are forwarded to the new one instead of re-creating the
    /// grain here. Returns at once; the move runs when the grain is idle.
    /// </summary>
    Task MoveAsync(string owner);
}
