namespace SentinelSync.Runtime;

/// <summary>
/// The grain turns a call descends from, innermost first, flowing with the async context. Used to detect
/// call cycles (A -> B -> A) that would otherwise deadlock non-reentrant turns.
/// </summary>
internal sealed class CallChain(ActivationData activation, long turn, CallChain? parent)
{
    private static readonly AsyncLocal<CallChain?> s_current = new();

    public static CallChain? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    public ActivationData Activation { get; } = activation;

    public long Turn { get; } = turn;

    public CallChain? Parent { get; } = parent;

    /// <summary>The grain ids from the outermost turn to <paramref name="callee"/>, for the error message.</summary>
    public IReadOnlyList<GrainId> Describe(GrainId callee)
    {
        var ids = new List<GrainId>();
        for (var node = this; node is not null; node = node.Parent)
        {
            ids.Add(node.Activation.GrainId);
        }

        ids.Reverse();
        ids.Add(callee);
        return ids;
    }
}
