using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Detects call cycles (A calls B calls A) at the call that would close them, on any silo: every incoming call
/// appends its target to a chain carried in the request context (it flows with every call the turn makes), and
/// an outgoing call whose target is already in the chain fails with <see cref="GrainCallCycleException"/> before
/// it is sent. It must be checked on the way out: the call into A would only be dispatched after A's waiting
/// turn ended, i.e. after Orleans' response timeout. Grain code that starts background work (the source's read
/// loop, a sink's worker) starts it without the chain of the call that happened to start it (<see cref="RunDetached"/>).
/// </summary>
public sealed class CallCycleFilter : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private const string ChainKey = "sentinel.chain";
    private const string Separator = " -> ";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var chain = RequestContext.Get(ChainKey) as string;
        var target = context.TargetId.ToString();
        RequestContext.Set(ChainKey, chain is null ? target : chain + Separator + target);
        return context.Invoke();
    }

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var target = context.TargetId.ToString();
        if (RequestContext.Get(ChainKey) is string chain && chain.Split(Separator).Contains(target, StringComparer.Ordinal))
        {
            throw new GrainCallCycleException(chain + Separator + target);
        }

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
