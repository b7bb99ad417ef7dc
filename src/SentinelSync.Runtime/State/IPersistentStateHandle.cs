namespace SentinelSync.Runtime;

/// <summary>What the activation needs of a state handle regardless of its type: reading it before the grain activates.</summary>
internal interface IPersistentStateHandle
{
    Task ReadStateAsync(CancellationToken cancellationToken);
}
