namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Base class of grains that write somewhere durable (sink offsets, source state): the activation takes the
/// grain's lease before anything else (<see cref="Epoch"/>), the grain's persistent state is read again under
/// it, and the lease is released after <see cref="OnDeactivateAsync"/> of the derived grain. A derived grain
/// overrides <see cref="OnLeasedAsync"/> and <see cref="OnReleasingAsync"/>, not the Orleans hooks.
/// </summary>
public abstract class FencedGrain(GrainLeases leases, ActivationEpochs epochs) : Grain
{
    /// <summary>
    /// The fencing epoch of this activation. It grows with every activation of the grain anywhere in the cluster;
    /// a durable write conditioned on it cannot succeed once another activation took over.
    /// </summary>
    public long Epoch { get; private set; }

    /// <summary>The grain's key (its string key).</summary>
    public string Key => this.GetPrimaryKeyString();

    public sealed override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Epoch = await leases.AcquireAsync(this.GetGrainId(), cancellationToken);
        epochs.Set(this.GetGrainId(), Epoch);
        try
        {
            await OnLeasedAsync(cancellationToken);
        }
        catch
        {
            // A failed activation gets no deactivation: free the lease now, or another silo would wait for it.
            epochs.Remove(this.GetGrainId(), Epoch);
            await leases.ReleaseAsync(this.GetGrainId(), Epoch);
            throw;
        }
    }

    public sealed override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await OnReleasingAsync(reason, cancellationToken);
        }
        finally
        {
            epochs.Remove(this.GetGrainId(), Epoch);
            await leases.ReleaseAsync(this.GetGrainId(), Epoch);
        }
    }

    /// <summary>Runs once the lease is held: state read before it may be stale, read it again here if it matters.</summary>
    protected virtual Task OnLeasedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation ends, while the lease is still held: flush here.</summary>
    protected virtual Task OnReleasingAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;
}
