using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: JSON in an <see cref="IGrainStateStore"/>, ETag held here, not in the state.</summary>
internal sealed class PersistentState<TState>(ActivationData activation, string stateName, IGrainStateStore store, JsonSerializerOptions json)
    : IPersistentState<TState>, IPersistentStateHandle
    where TState : new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await store.ReadAsync(activation.GrainId, stateName, cancellationToken).ConfigureAwait(false);
        State = stored is null ? new TState() : JsonSerializer.Deserialize<TState>(stored.Json, json) ?? new TState();
        Etag = stored?.Etag;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.Serialize(State, json);
        Etag = await store.WriteAsync(activation.GrainId, stateName, payload, Etag, activation.Epoch, cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await store.ClearAsync(activation.GrainId, stateName, Etag, activation.Epoch, cancellationToken).ConfigureAwait(false);
        Etag = null;
        State = new TState();
    }
}
