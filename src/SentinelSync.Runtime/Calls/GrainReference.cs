namespace SentinelSync.Runtime;

/// <summary>
/// Base of the references the source generator writes for each grain interface: a grain id and the invoker
/// that routes calls (to the local activation, or to another silo). References are cheap and may be cached.
/// </summary>
public abstract class GrainReference(GrainId grainId, IGrainCallInvoker invoker)
{
    public GrainId GrainId { get; } = grainId;

    protected IGrainCallInvoker Invoker { get; } = invoker;

    public override string ToString() => GrainId.ToString();
}
