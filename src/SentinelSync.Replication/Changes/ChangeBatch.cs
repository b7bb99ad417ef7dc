namespace SentinelSync.Replication;

/// <summary>
/// Changes of one table in source order, the unit that crosses grain boundaries. <see cref="Through"/> is the
/// position the batch covers: once a sink applied the batch it may record that position even if the last
/// change is earlier (for example a transaction that touched other tables).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ChangeBatch(TableName Table, IReadOnlyList<RowChange> Changes, Position Through)
{
    /// <summary>
    /// The W3C <c>traceparent</c> of the source's capture span, set only when the batch is traced. It travels
    /// with the batch (also across silos) so each sink's span joins the batch's trace; absent in batches from a
    /// source that does not trace, which is why it is optional and not a constructor parameter.
    /// </summary>
    [Id(3)]
    public string? TraceParent { get; init; }

    /// <summary>When the source captured the batch (the start of its capture span); set only when traced.</summary>
    [Id(4)]
    public DateTimeOffset? CapturedAt { get; init; }

    /// <summary>
    /// The ordered source stream <see cref="Through"/> and the changes' positions count in, when the table has
    /// more than one: a Kafka source names the partition (<c>kafka:topic/partition</c>), whose offsets are not
    /// comparable with another partition's. Null for the Postgres source, where one WAL orders every table.
    /// Sinks keep one stored position per (table, stream) and never merge batches of different streams into one
    /// batch; a sink that is an <see cref="Pipelines.IMultiStreamSink"/> may apply several in one transaction.
    /// </summary>
    [Id(5)]
    public string? Stream { get; init; }

    /// <summary>The key of the offset row a sink stores this batch's position under: the table, plus <c>@stream</c> when there is one.</summary>
    public string OffsetKey => OffsetKeyOf(Table, Stream);

    /// <summary>See <see cref="OffsetKey"/>.</summary>
    public static string OffsetKeyOf(TableName table, string? stream) => stream is null ? table.ToString() : $"{table}@{stream}";

    /// <summary>
    /// Snapshot rows still in COPY text form, after <see cref="Changes"/> (which is then empty, or a truncate
    /// before them). Only snapshot copies set it; <see cref="Expanded"/> turns them into changes.
    /// </summary>
    [Id(6)]
    public CopyRows? Copy { get; init; }

    /// <summary>
    /// The last batch of a table's snapshot copy, with no changes, after every copied row: a Postgres sink builds
    /// the primary key of a table it loaded without one, before anything is streamed into it.
    /// </summary>
    [Id(7)]
    public bool EndsSnapshot { get; init; }

    /// <summary>How many changes the batch carries, rows in <see cref="Copy"/> included.</summary>
    public int Count => Changes.Count + (Copy?.Count ?? 0);

    /// <summary>The position of the first change (<see cref="Through"/> for an empty batch).</summary>
    public Position First => Changes.Count > 0 ? Changes[0].Position : Copy?.First ?? Through;

    /// <summary>The same batch with <see cref="Copy"/> parsed into snapshot changes (itself when there is none).</summary>
    public ChangeBatch Expanded() =>
        Copy is null ? this : this with { Changes = [.. Changes, .. Copy.Expand()], Copy = null };
}
