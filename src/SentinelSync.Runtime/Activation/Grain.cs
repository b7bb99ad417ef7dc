namespace SentinelSync.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime runs one call at a time per activation (turns), so grain
/// code needs no locks; state is injected as <see cref="IPersistentState{TState}"/> constructor parameters
/// marked <see cref="PersistentStateAttribute"/>, services as ordinary constructor parameters.
/// </summary>
public abstract class Grain
{
    private ActivationData? _activation;

    internal ActivationData Activation
    {
        get => _activation ?? throw new InvalidOperationException("The grain is not activated yet: use OnActivateAsync, not the constructor.");
        set => _activation = value;
    }

    public GrainId GrainId => Activation.GrainId;

    /// <summary>The grain's key (the string passed to <see cref="IGrainFactory.GetGrain{TGrainInterface}"/>).</summary>
    public string Key => Activation.GrainId.Key;

    protected IGrainFactory GrainFactory => Activation.Catalog;

    /// <summary>The name of the silo this activation runs on.</summary>
    protected string SiloName => Activation.Catalog.SiloName;

    /// <summary>
    /// The fencing epoch of this activation's lease. It grows with every activation of the grain anywhere in
    /// the cluster; a durable write conditioned on it cannot succeed once another activation took over.
    /// </summary>
    public long ActivationEpoch => Activation.Epoch;

    /// <summary>Runs as the first turn, after persistent state was read. A throw fails the activation and the call that caused it.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs as the last turn, after in-flight calls finished: flush here. Not called when the silo dies abruptly.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A timer whose callback runs as a turn of this grain (never beside a call). A tick that falls due while
    /// the previous one still runs is skipped. Timers do not keep a grain active; they stop at deactivation.
    /// </summary>
    protected IDisposable RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>Deactivates the grain once the current turn ends and no call waits.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();
}
