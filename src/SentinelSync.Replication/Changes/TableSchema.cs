using System.Text.Json.Serialization;

namespace SentinelSync.Replication;

/// <summary>
/// The shape of a source table at some point of its history. <see cref="Version"/> grows with each change of
/// the shape (column added, dropped, renamed, retyped) as seen in pgoutput's relation messages; every change
/// carries the schema it was written under.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record TableSchema(TableName Table, int Version, IReadOnlyList<ColumnSchema> Columns)
{
    [JsonIgnore]
    public IEnumerable<int> KeyIndexes => Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => x.i);

    [JsonIgnore]
    public bool HasKey => Columns.Any(c => c.IsKey);

    /// <summary>Every column carries its source attribute number, so a change from or to this shape can be told exactly.</summary>
    [JsonIgnore]
    public bool HasAttributeNumbers => Columns.All(c => c.AttributeNumber > 0);

    /// <summary>Same names, types and keys in the same order, whatever the attribute numbers say.</summary>
    public bool LooksLike(TableSchema other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Columns.Count == other.Columns.Count
            && Columns.Zip(other.Columns).All(p => p.First with { AttributeNumber = 0 } == p.Second with { AttributeNumber = 0 });
    }
}
