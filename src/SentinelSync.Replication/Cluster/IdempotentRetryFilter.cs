using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Retries an <see cref="IdempotentAttribute"/> call once when its target silo turned out to be dead: Orleans
/// rejects calls to a silo it declared dead with <see cref="SiloUnavailableException"/> and places the grain
/// anew on the next call. Other calls are not retried: a second run could double their effect.
/// </summary>
public sealed class IdempotentRetryFilter : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (SiloUnavailableException) when (context.InterfaceMethod?.IsDefined(typeof(IdempotentAttribute), inherit: false) == true)
        {
            await context.Invoke();
        }
    }
}
