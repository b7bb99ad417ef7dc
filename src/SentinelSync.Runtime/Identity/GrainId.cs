namespace SentinelSync.Runtime;

/// <summary>The identity of a grain: its grain type and a string key. A grain exists logically forever.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
