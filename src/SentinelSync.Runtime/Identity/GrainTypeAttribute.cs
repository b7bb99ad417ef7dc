namespace SentinelSync.Runtime;

/// <summary>Names a grain class's grain type; without it the type is the class name less a trailing "Grain".</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
