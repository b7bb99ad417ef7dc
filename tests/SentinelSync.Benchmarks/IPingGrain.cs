using SentinelSync.Replication;

namespace SentinelSync.Benchmarks;

/// <summary>The benchmark's grain: a trivial call, where it runs, and batches taken with and without copying.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    Task PingAsync();

    Task<string> SiloAsync();

    Task<int> TakeAsync(ChangeBatch batch);

    Task<int> TakeEnvelopeAsync(BatchEnvelope envelope);

    Task<int> TakeMutableAsync(MutableChangeBatch batch);
}
