namespace SentinelSync.Replication.Sinks;

/// <summary>
/// How a table's columns changed between two schema versions. pgoutput's relation messages carry no attribute
/// numbers, so columns are matched the way Postgres orders them: by name first; then, between two columns
/// matched by name, as many old as new columns means renames (a rename keeps its place, whatever its type).
/// Otherwise, and after the last name match where <c>ADD COLUMN</c> appends, each new column pairs with the next
/// old column of the same type (skipped old columns were dropped); in the tail, the first new column without a
/// partner starts the additions.
/// Known ambiguity: dropping a column and adding one of the same type between two relation messages reads as
/// a rename, and a rename plus a type change after the last name match reads as drop + add.
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
            Pair(oldGap, newGap, isTail: tail, kept, added, dropped);
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
        bool isTail,
        List<(ColumnSchema, ColumnSchema)> kept,
        List<ColumnSchema> added,
        List<ColumnSchema> dropped)
    {
        if (!isTail && oldGap.Count == newGap.Count)
        {
            // Between two name matches nothing can be added: same count means renames, types aside.
            kept.AddRange(oldGap.Zip(newGap));
            return;
        }

        // New columns in order pair with the next old column of the same type; old columns skipped on the way
        // were dropped. In the tail, the first new column without a partner and all after it are additions.
        var next = 0;
        var unpaired = false;
        foreach (var column in newGap)
        {
            var match = unpaired ? -1 : oldGap.FindIndex(next, c => c.TypeName == column.TypeName);
            if (match < 0)
            {
                unpaired = isTail;
                added.Add(column);
                continue;
            }

            dropped.AddRange(oldGap.Skip(next).Take(match - next));
            kept.Add((oldGap[match], column));
            next = match + 1;
        }

        dropped.AddRange(oldGap.Skip(next));
    }
}
