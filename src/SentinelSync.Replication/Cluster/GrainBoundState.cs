namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A grain's persistent state for work the grain runs outside its turns (the source's read loop): Orleans lets
/// a grain's storage (even its <c>State</c> property) be touched only from the activation's own context, so this
/// keeps the state object itself and sends reads and writes to the activation's task scheduler (captured in a
/// turn), where they run between the grain's turns.
/// </summary>
public sealed class GrainBoundState<TState> : IPersistentState<TState>
{
    private readonly IPersistentState<TState> _inner;
    private readonly TaskScheduler _activation;

    /// <summary>Call from a turn of the grain that owns <paramref name="inner"/>.</summary>
    public GrainBoundState(IPersistentState<TState> inner)
    {
        _inner = inner;
        _activation = TaskScheduler.Current;
        State = inner.State;
        Etag = inner.Etag;
        RecordExists = inner.RecordExists;
    }

    public TState State { get; set; }

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    public Task ClearStateAsync() => ClearStateAsync(CancellationToken.None);

    public Task ClearStateAsync(CancellationToken cancellationToken) => OnActivationAsync(s => s.ClearStateAsync(cancellationToken), cancellationToken);

    public Task ReadStateAsync() => ReadStateAsync(CancellationToken.None);

    public Task ReadStateAsync(CancellationToken cancellationToken) => OnActivationAsync(s => s.ReadStateAsync(cancellationToken), cancellationToken);

    public Task WriteStateAsync() => WriteStateAsync(CancellationToken.None);

    public Task WriteStateAsync(CancellationToken cancellationToken) => OnActivationAsync(s => s.WriteStateAsync(cancellationToken), cancellationToken);

    private Task OnActivationAsync(Func<IPersistentState<TState>, Task> operation, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            async () =>
            {
                _inner.State = State;
                await operation(_inner);
                (State, Etag, RecordExists) = (_inner.State, _inner.Etag, _inner.RecordExists);
            },
            cancellationToken,
            TaskCreationOptions.None,
            _activation).Unwrap();
}
