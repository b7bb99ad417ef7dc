namespace SentinelSync.Runtime;

/// <summary>A grain class as registered by generated code: its grain type name and the grain interfaces it implements.</summary>
internal sealed record GrainClassInfo(Type Class, string GrainType, IReadOnlyList<Type> Interfaces)
{
    public bool PreferLocal { get; } = Class.IsDefined(typeof(PreferLocalPlacementAttribute), inherit: false);
}
