namespace SentinelSync.Runtime;

/// <summary>A state write or clear carried an ETag that is no longer the stored one: another writer got there first. Nothing was written.</summary>
public sealed class InconsistentStateException(GrainId grainId, string stateName, string? expectedEtag, string? storedEtag)
    : InvalidOperationException($"State '{stateName}' of grain {grainId} changed underneath: expected ETag {expectedEtag ?? "(none)"}, stored {storedEtag ?? "(none)"}.")
{
    public GrainId GrainId { get; } = grainId;

    public string? ExpectedEtag { get; } = expectedEtag;

    public string? StoredEtag { get; } = storedEtag;
}
