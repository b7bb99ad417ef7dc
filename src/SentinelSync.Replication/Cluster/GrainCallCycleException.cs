namespace SentinelSync.Replication.Cluster;

/// <summary>
/// A grain call that would wait for itself: the target is already waiting, earlier in the same call chain,
/// for this call to return. Orleans would let it wait until the response timeout; <see cref="CallCycleFilter"/>
/// fails it at once, naming the chain.
/// </summary>
[GenerateSerializer]
public sealed class GrainCallCycleException : InvalidOperationException
{
    public GrainCallCycleException(string chain)
        : base($"Grain call cycle: {chain}. A grain cannot call a grain that is waiting for it; keep the call graph acyclic (source -> table -> sink).")
    {
        Chain = chain;
    }

    [Id(0)]
    public string Chain { get; }
}
