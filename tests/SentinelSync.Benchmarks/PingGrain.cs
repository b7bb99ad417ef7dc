using Orleans.Runtime;
using SentinelSync.Replication;
using SentinelSync.Replication.Cluster;

namespace SentinelSync.Benchmarks;

/// <summary>
/// Placed like pipeline sources (rendezvous), so the benchmark knows from the key alone which silo holds it.
/// </summary>
[GrainType(GrainTypeName)]
[RendezvousPlacement]
public sealed class PingGrain(ILocalSiloDetails silo) : Grain, IPingGrain
{
    public const string GrainTypeName = "bench-ping";

    public Task PingAsync() => Task.CompletedTask;

    public Task<string> SiloAsync() => Task.FromResult(silo.Name);

    public Task<int> TakeAsync(ChangeBatch batch) => Task.FromResult(batch.Changes.Count);

    public Task<int> TakeEnvelopeAsync(BatchEnvelope envelope) => Task.FromResult(envelope.Batch.Changes.Count);

    public Task<int> TakeMutableAsync(MutableChangeBatch batch) => Task.FromResult(batch.Changes.Count);
}
