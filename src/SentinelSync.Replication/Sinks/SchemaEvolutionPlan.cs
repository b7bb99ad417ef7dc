namespace SentinelSync.Replication.Sinks;

/// <summary>
/// How a table's columns changed between two schema versions, told by the source's attribute numbers
/// (<see cref="ColumnSchema.AttributeNumber"/>: never reused within a table): a number in both versions is the same
/// column, renamed and/or retyped; a number only in the old one was dropped, one only in the new one was added,
/// whatever its name or type. A guess never decides where data goes: without the numbers only a shape that did
/// not visibly change, or that only gained columns at the end, is planned (schemas stored before the numbers were
/// kept); anything else throws <see cref="AmbiguousSchemaChangeException"/>, unless the table is emptied in the
/// same step (a resync's truncate), where columns are matched by name since no row carries values across.
/// </summary>
internal sealed record SchemaEvolutionPlan(
    IReadOnlyList<(ColumnSchema Old, ColumnSchema New)> Kept,
    IReadOnlyList<ColumnSchema> Added,
    IReadOnlyList<ColumnSchema> Dropped)
{
    public IEnumerable<(ColumnSchema Old, ColumnSchema New)> Renamed => Kept.Where(k => k.Old.Name != k.New.Name);

    public IEnumerable<(ColumnSchema Old, ColumnSchema New)> Retyped => Kept.Where(k => k.Old.TypeName != k.New.TypeName);

    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0 && !Renamed.Any() && !Retyped.Any();

    /// <param name="previous">The schema the destination table has.</param>
    /// <param name="next">The schema to evolve it to.</param>
    /// <param name="emptying">The table is truncated in the same step, before any row of <paramref name="next"/> is written.</param>
    public static SchemaEvolutionPlan Create(TableSchema previous, TableSchema next, bool emptying = false)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (previous.HasAttributeNumbers && next.HasAttributeNumbers)
        {
            return Match(previous, next, c => c.AttributeNumber);
        }

        var prefix = previous.Columns.Count <= next.Columns.Count
            && previous.Columns.Zip(next.Columns).All(p => p.First with { AttributeNumber = 0 } == p.Second with { AttributeNumber = 0 });
        if ((prefix && next.HasAttributeNumbers) || emptying)
        {
            return Match(previous, next, c => c.Name);
        }

        throw new AmbiguousSchemaChangeException(previous, next);
    }

    private static SchemaEvolutionPlan Match<T>(TableSchema previous, TableSchema next, Func<ColumnSchema, T> identity)
        where T : notnull
    {
        var oldByIdentity = previous.Columns.ToDictionary(identity);
        var newIdentities = next.Columns.Select(identity).ToHashSet();
        var kept = new List<(ColumnSchema, ColumnSchema)>();
        var added = new List<ColumnSchema>();
        foreach (var column in next.Columns)
        {
            if (oldByIdentity.TryGetValue(identity(column), out var old))
            {
                kept.Add((old, column));
            }
            else
            {
                added.Add(column);
            }
        }

        // Kept in the new schema's order, so callers can walk it alongside the new columns.
        return new SchemaEvolutionPlan(kept, added, [.. previous.Columns.Where(c => !newIdentities.Contains(identity(c)))]);
    }
}
