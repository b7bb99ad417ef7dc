namespace SentinelSync.Runtime;

/// <summary>
/// Where grain state lives. Every operation on one record is atomic. <c>WriteAsync</c> and <c>ClearAsync</c>
/// succeed only when the stored ETag equals <c>expectedEtag</c> (null: no record may exist) and the grain's
/// lease still carries <c>epoch</c>; otherwise they throw <see cref="InconsistentStateException"/> or
/// <see cref="GrainFencedException"/> and change nothing.
/// </summary>
public interface IGrainStateStore
{
    Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken);

    /// <returns>The new ETag.</returns>
    Task<string> WriteAsync(GrainId grainId, string stateName, string json, string? expectedEtag, long epoch, CancellationToken cancellationToken);

    Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, long epoch, CancellationToken cancellationToken);
}
