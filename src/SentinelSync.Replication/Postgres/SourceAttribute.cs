namespace SentinelSync.Replication.Postgres;

/// <summary>One row of <c>pg_attribute</c> for a table: a column as the source catalog holds it now.</summary>
internal sealed record SourceAttribute(int Number, string Name, uint TypeOid, int TypeModifier, bool IsDropped, bool IsGenerated)
{
    /// <summary>Published by pgoutput: not dropped, not generated.</summary>
    public bool IsPublished => !IsDropped && !IsGenerated;
}
