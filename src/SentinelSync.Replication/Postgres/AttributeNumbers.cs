namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Gives the columns of a pgoutput relation message their source attribute numbers. The message itself carries
/// none, and the catalog can only be read as it is now, which may already be past the message (the stream lags);
/// so the numbers are given only where that cannot mislead:
/// <list type="number">
/// <item>The catalog's published columns are exactly the message's (names, types, modifiers, order): the
/// catalog has not changed the table's shape since, and its numbers are the message's.</item>
/// <item>Otherwise, with the previous schema's numbers known: if none of them was dropped since (an attribute,
/// once dropped, never comes back, and new ones get higher numbers), the message holds those attributes in
/// order, followed by the newer attributes; when every attribute numbered above the previous ones is still a
/// published column and there are exactly as many as the message has beyond the previous ones, those are they.</item>
/// </list>
/// Anything else (a column of the previous schema dropped since, while the catalog no longer matches the message)
/// could be a rename as well as a drop and an add: null, and the pipeline stops the table rather than guess.
/// </summary>
internal static class AttributeNumbers
{
    public static int[]? Resolve(IReadOnlyList<(string Name, uint TypeOid, int TypeModifier)> message, TableSchema? previous, IReadOnlyList<SourceAttribute> catalog)
    {
        var published = catalog.Where(a => a.IsPublished).ToList();
        if (published.Count == message.Count
            && published.Zip(message).All(p => p.First.Name == p.Second.Name && p.First.TypeOid == p.Second.TypeOid && p.First.TypeModifier == p.Second.TypeModifier))
        {
            return [.. published.Select(a => a.Number)];
        }

        if (previous is null || !previous.HasAttributeNumbers)
        {
            return null;
        }

        var byNumber = catalog.ToDictionary(a => a.Number);
        var kept = previous.Columns.Select(c => c.AttributeNumber).ToList();
        if (kept.Any(n => !byNumber.TryGetValue(n, out var a) || !a.IsPublished) || message.Count < kept.Count)
        {
            return null;
        }

        if (message.Count == kept.Count)
        {
            return [.. kept];
        }

        var newer = catalog.Where(a => a.Number > kept.Max()).ToList();
        if (newer.Count != message.Count - kept.Count || newer.Any(a => !a.IsPublished))
        {
            return null;
        }

        return [.. kept, .. newer.Select(a => a.Number)];
    }
}
