using SentinelSync.Runtime;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// A pipeline's source (key: the pipeline name): owns the replication slot's one connection, the snapshot,
/// the streaming loop and the slot feedback. Exactly one activation in the cluster, placed by hash.
/// </summary>
public interface ISourceGrain : IGrainWithStringKey
{
    /// <summary>Starts the pipeline if it is not running (or restarts it after a failure, with backoff).</summary>
    [Idempotent]
    Task EnsureRunningAsync();

    [ReadOnly]
    [Idempotent]
    Task<SourceStatus> GetStatusAsync();

    /// <summary>Progress of the pipeline's tables (empty while paused or before setup found them).</summary>
    [ReadOnly]
    [Idempotent]
    Task<TableProgress[]> GetTableProgressAsync();

    /// <summary>
    /// Stops reading (drain, confirm, table grains stopped) and stays paused, across restarts, until
    /// <see cref="ResumeAsync"/>; the replication slot is kept, so nothing is lost while paused.
    /// </summary>
    [Idempotent]
    Task PauseAsync();

    /// <summary>Clears the pause and starts reading again from the slot's confirmed position.</summary>
    [Idempotent]
    Task ResumeAsync();

    /// <summary>Stops the pipeline gracefully here (drain, confirm) and deactivates; the keeper starts it again on its owner.</summary>
    Task StopAsync();
}
