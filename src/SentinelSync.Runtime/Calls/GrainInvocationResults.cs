namespace SentinelSync.Runtime;

/// <summary>Adapts grain methods without a result to the runtime's <see cref="Task{VoidResult}"/> shape (used by generated code).</summary>
public static class GrainInvocationResults
{
    private static readonly Task<VoidResult> s_completed = Task.FromResult(default(VoidResult));

    public static Task<VoidResult> FromTask(Task task) =>
        task.IsCompletedSuccessfully ? s_completed : AwaitAsync(task);

    public static Task<VoidResult> FromValueTask(ValueTask task) =>
        task.IsCompletedSuccessfully ? s_completed : AwaitAsync(task.AsTask());

    public static Task<T> FromValueTask<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? Task.FromResult(task.Result) : task.AsTask();

    private static async Task<VoidResult> AwaitAsync(Task task)
    {
        await task.ConfigureAwait(false);
        return default;
    }
}
