namespace SentinelSync.Runtime;

/// <summary>
/// A grain's durable state, read before <c>OnActivateAsync</c>. Writes use optimistic concurrency: each
/// write or clear must carry the ETag of the last read or write, and is also fenced by the activation's
/// lease epoch.
/// </summary>
/// <remarks>
/// Atomicity: each write replaces the whole state in one statement; it either happens entirely or not at all.
/// A write fails with <see cref="InconsistentStateException"/> when the stored ETag differs from
/// <see cref="Etag"/> (someone else wrote), and with <see cref="GrainFencedException"/> when this activation
/// no longer holds the grain's lease; in both cases nothing was written and the grain should not go on.
/// </remarks>
public interface IPersistentState<TState>
    where TState : new()
{
    TState State { get; set; }

    /// <summary>The version of the stored record this handle last saw; null when there is none.</summary>
    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync(CancellationToken cancellationToken = default);

    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the record and resets <see cref="State"/> to a new instance.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
