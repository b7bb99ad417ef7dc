namespace SentinelSync.Runtime;

/// <summary>What the runtime knows of one grain interface method: names for errors and metrics, and how it may be scheduled.</summary>
public sealed record GrainMethod(string Interface, string Name, bool IsReadOnly, bool IsIdempotent)
{
    public override string ToString() => $"{Interface}.{Name}";
}
