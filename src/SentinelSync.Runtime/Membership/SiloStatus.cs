namespace SentinelSync.Runtime;

/// <summary>A silo's status in the membership table. Transitions only go forward: Joining → Active → ShuttingDown → Dead.</summary>
public enum SiloStatus
{
    /// <summary>Registered, not yet taking grains.</summary>
    Joining,

    /// <summary>Takes grains; placement considers it.</summary>
    Active,

    /// <summary>Leaving gracefully: draining its grains; placement no longer considers it.</summary>
    ShuttingDown,

    /// <summary>Gone: left, or declared dead by others. A silo that reads itself as Dead must stop at once.</summary>
    Dead,
}
