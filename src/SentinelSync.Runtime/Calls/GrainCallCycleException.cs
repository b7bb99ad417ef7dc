namespace SentinelSync.Runtime;

/// <summary>
/// A call would wait for itself: grain A called B which (directly or through others) called A back while A
/// is still in the turn that started the chain. Turns are not reentrant, so instead of a deadlock the
/// innermost call fails at once, naming the whole cycle.
/// </summary>
public sealed class GrainCallCycleException(IReadOnlyList<GrainId> cycle, GrainMethod method)
    : InvalidOperationException($"Grain call cycle: {string.Join(" -> ", cycle)} (calling {method}). Grain turns are not reentrant: return what the callee needs instead of calling back.")
{
    public IReadOnlyList<GrainId> Cycle { get; } = cycle;
}
