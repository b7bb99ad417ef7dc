using SentinelSync.Replication;

namespace SentinelSync.Benchmarks;

/// <summary>
/// The payload of a <see cref="ChangeBatch"/> in types without <c>[Immutable]</c>, so that a local call copies every
/// row and its values array: what the batches would cost if the replication types lost the attribute.
/// </summary>
[GenerateSerializer]
public sealed record MutableChangeBatch(TableName Table, List<MutableRowChange> Changes, Position Through)
{
    public static MutableChangeBatch Of(ChangeBatch batch) =>
        new(batch.Table, [.. batch.Changes.Select(c => new MutableRowChange(c.Kind, c.Position, c.Schema, c.Values, c.OldKey))], batch.Through);
}
