namespace SentinelSync.Runtime;

/// <summary>Hands out references to grains; the grain is activated by the first call, wherever placement puts it.</summary>
public interface IGrainFactory
{
    /// <summary>A typed reference to the grain <typeparamref name="TGrainInterface"/> with <paramref name="key"/>. Creating a reference does no I/O.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;
}
