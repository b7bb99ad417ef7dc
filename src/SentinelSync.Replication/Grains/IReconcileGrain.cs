using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Reconcile;

namespace SentinelSync.Replication.Grains;

/// <summary>
/// A pipeline's reconcile runs (key: the pipeline name): one run at a time, manual or on the pipeline's
/// <c>reconcile.schedule</c> through an Orleans reminder. Results are in the control database.
/// </summary>
public interface IReconcileGrain : IGrainWithStringKey
{
    /// <summary>Starts a run and returns at once with its id.</summary>
    /// <exception cref="ReconcileException">A bad request, or a run of this pipeline under way.</exception>
    Task<ReconcileRunInfo> StartAsync(ReconcileRequest request);

    /// <summary>Registers the schedule's reminder (or removes it when the pipeline has no schedule any more).</summary>
    [Idempotent]
    Task EnsureScheduledAsync();
}
