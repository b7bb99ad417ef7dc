namespace SentinelSync.Runtime;

/// <summary>
/// Places a grain on the silo of the call that activates it, instead of by hash: for grains that are called
/// mostly by one other grain and should sit with it (sink grains beside their table grain). Calls from other
/// silos find it through its lease.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PreferLocalPlacementAttribute : Attribute;
