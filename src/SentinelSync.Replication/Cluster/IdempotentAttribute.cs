namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Marks a grain interface method that may run twice with the same effect as once: a call that failed because
/// the target's silo died is sent once more (<see cref="IdempotentRetryFilter"/>), to the grain's new activation.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentAttribute : Attribute;
