namespace SentinelSync.Replication.Postgres;

/// <summary>
/// How a table's columns changed between two schema versions. pgoutput's relation messages carry no attribute
/// numbers, so columns are matched the way Postgres orders them: by name first; then, between two columns
/// matched by name, the remaining old and new columns pair up by position (a rename keeps its place, whatever
/// its type). After the last name match, where <c>ADD COLUMN</c> appends, an old and a new column pair up by
/// position only when their types agree; the rest are drops and additions.
/// Known ambiguity: dropping a column and adding one of the same type at the end, between two relation
/// messages, reads as a rename (and so does a rename plus a type change at the end as drop + add).
/// </summary>
internal sealed record SchemaEvolutionPlan(
    IReadOnlyList<(ColumnSchema Old, ColumnSchema New)> Kept,
    IReadOnlyList<ColumnSchema> Added,
    IReadOnlyList<ColumnSchema> Dropped)
{
    public IEnumerable<(ColumnSchema Old, ColumnSchema New)> Renamed => Kept.Where(k => k.Old.Name != k.New.Name);

    public IEnumerable<(ColumnSchema Old, ColumnSchema New)> Retyped => Kept.Where(k => k.Old.TypeName != k.New.TypeName);

    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0 && !Renamed.Any() && !Retyped.Any();

    public static SchemaEvolutionPlan Create(TableSchema previous, TableSchema next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var oldColumns = previous.Columns;
        var newColumns = next.Columns;
        var oldByName = oldColumns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);

        // Anchors: columns present under the same name, in increasing order on both sides.
        var anchors = new List<(int Old, int New)>();
        for (var n = 0; n < newColumns.Count; n++)
        {
            if (oldByName.TryGetValue(newColumns[n].Name, out var o) && (anchors.Count == 0 || o > anchors[^1].Old))
            {
                anchors.Add((o, n));
            }
        }

        var kept = new List<(ColumnSchema, ColumnSchema)>();
        var added = new List<ColumnSchema>();
        var dropped = new List<ColumnSchema>();
        var (oldStart, newStart) = (0, 0);
        foreach (var (anchorOld, anchorNew) in anchors.Append((oldColumns.Count, newColumns.Count)))
        {
            var tail = anchorOld == oldColumns.Count && anchorNew == newColumns.Count;
            var oldGap = oldColumns.Skip(oldStart).Take(anchorOld - oldStart).ToList();
            var newGap = newColumns.Skip(newStart).Take(anchorNew - newStart).ToList();
            Pair(oldGap, newGap, requireSameType: tail, kept, added, dropped);
            if (!tail)
            {
                kept.Add((oldColumns[anchorOld], newColumns[anchorNew]));
            }

            (oldStart, newStart) = (anchorOld + 1, anchorNew + 1);
        }

        // Kept in the new schema's order, so callers can walk it alongside the new columns.
        var order = newColumns.Select((c, i) => (c, i)).ToDictionary(x => x.c.Name, x => x.i, StringComparer.Ordinal);
        kept.Sort((a, b) => order[a.Item2.Name].CompareTo(order[b.Item2.Name]));
        return new SchemaEvolutionPlan(kept, added, dropped);
    }

    private static void Pair(
        List<ColumnSchema> oldGap,
        List<ColumnSchema> newGap,
        bool requireSameType,
        List<(ColumnSchema, ColumnSchema)> kept,
        List<ColumnSchema> added,
        List<ColumnSchema> dropped)
    {
        var count = Math.Min(oldGap.Count, newGap.Count);
        var paired = 0;
        while (paired < count && (!requireSameType || oldGap[paired].TypeName == newGap[paired].TypeName))
        {
            kept.Add((oldGap[paired], newGap[paired]));
            paired++;
        }

        dropped.AddRange(oldGap.Skip(paired));
        added.AddRange(newGap.Skip(paired));
    }
}
