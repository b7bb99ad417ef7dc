using SentinelSync.Replication;

namespace SentinelSync.Benchmarks;

/// <summary>
/// A <see cref="ChangeBatch"/> inside a type that is not <c>[Immutable]</c>: Orleans copies the envelope, but the
/// batch inside it is still immutable and passes by reference.
/// </summary>
[GenerateSerializer]
public sealed record BatchEnvelope(ChangeBatch Batch);
