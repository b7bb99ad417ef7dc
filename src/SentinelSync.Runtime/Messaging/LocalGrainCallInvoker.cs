namespace SentinelSync.Runtime;

/// <summary>An invoker that runs calls on this silo regardless of placement: used for calls another silo routed here.</summary>
internal sealed class LocalGrainCallInvoker(Catalog catalog) : IGrainCallInvoker
{
    public Task<TResult> InvokeAsync<TGrainInterface, TResult, TInvocation>(GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult> =>
        catalog.InvokeLocalAsync<TGrainInterface, TResult, TInvocation>(grainId, invocation);
}
