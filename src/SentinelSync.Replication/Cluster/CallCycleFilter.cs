using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Detects call cycles (A calls B calls A) at the call that closes them, on any silo: every incoming call
/// appends its target to a chain carried in the request context, and a call whose target is already in the
/// chain fails with <see cref="GrainCallCycleException"/> instead of waiting out Orleans' response timeout.
/// Grain code that starts background work (the source's read loop, a sink's worker) clears the chain there,
/// so that work does not carry the chain of the call that happened to start it.
/// </summary>
public sealed class CallCycleFilter : IIncomingGrainCallFilter
{
    private const string ChainKey = "sentinel.chain";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var target = context.TargetId.ToString();
        var chain = RequestContext.Get(ChainKey) as string;
        if (chain is not null && chain.Split(" -> ").Contains(target, StringComparer.Ordinal))
        {
            throw new GrainCallCycleException($"{chain} -> {target}");
        }

        RequestContext.Set(ChainKey, chain is null ? target : $"{chain} -> {target}");
        return context.Invoke();
    }

    /// <summary>Starts background work of a grain without the chain of the call that started it.</summary>
    public static Task RunDetached(Func<Task> work) => Task.Run(
        () =>
        {
            RequestContext.Clear();
            return work();
        },
        CancellationToken.None);
}
