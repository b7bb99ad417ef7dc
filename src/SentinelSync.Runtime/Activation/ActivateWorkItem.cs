namespace SentinelSync.Runtime;

/// <summary>The first turn of every activation.</summary>
internal sealed class ActivateWorkItem(ActivationData activation) : WorkItem
{
    public override bool IsReadOnly => false;

    public override void Execute() => _ = activation.ActivateAsync(Turn);
}
