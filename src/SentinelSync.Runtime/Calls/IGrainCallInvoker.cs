namespace SentinelSync.Runtime;

/// <summary>Routes a call from a generated reference to the grain's activation.</summary>
public interface IGrainCallInvoker
{
    Task<TResult> InvokeAsync<TGrainInterface, TResult, TInvocation>(GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>;
}
