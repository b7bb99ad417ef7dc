namespace SentinelSync.Runtime;

/// <summary>
/// Marks a grain interface method that does not change the grain's state: it may run at the same time as
/// other read-only calls of the same activation, never beside a normal (exclusive) call.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>
/// Marks a grain interface method whose repetition has no further effect: when its silo disappears
/// mid-call, the runtime retries it once on the grain's new owner.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentAttribute : Attribute;
