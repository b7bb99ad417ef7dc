namespace SentinelSync.Runtime;

/// <summary>The last turn of an activation.</summary>
internal sealed class DeactivateWorkItem(ActivationData activation, DeactivationReason reason) : WorkItem
{
    public override bool IsReadOnly => false;

    public override void Execute() => _ = activation.RunDeactivationAsync(reason);
}
