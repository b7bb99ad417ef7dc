using System.Diagnostics;

namespace SentinelSync.Runtime;

/// <summary>A grain call that had to wait for its turn.</summary>
internal sealed class InvocationWorkItem<TGrainInterface, TResult, TInvocation>(ActivationData activation, TInvocation invocation, CallChain? chain)
    : WorkItem
    where TGrainInterface : IGrainWithStringKey
    where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override bool IsReadOnly => invocation.Method.IsReadOnly;

    public override void Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            CallChain.Current = new CallChain(activation, Turn, chain);
            var result = await invocation.InvokeAsync((TGrainInterface)(object)activation.Instance!).ConfigureAwait(false);
            _completion.TrySetResult(result);
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
        finally
        {
            activation.EndTurn(Turn, invocation.Method, started);
        }
    }

    public override void Forward() => _ = ForwardAsync();

    private async Task ForwardAsync()
    {
        try
        {
            CallChain.Current = chain;
            _completion.TrySetResult(await activation.Catalog.InvokeAsync<TGrainInterface, TResult, TInvocation>(activation.GrainId, invocation).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
