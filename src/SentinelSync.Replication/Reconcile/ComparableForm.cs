using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// The text form of rows and keys that both sides of a comparison compute alike, and the hash sums over it.
/// Postgres to Postgres compares <c>ROW(columns)::text</c>: the destination has the same types (see the README's
/// type mapping), so with the same session settings the text is the same byte for byte.
/// </summary>
internal class ComparableForm
{
    public static readonly ComparableForm Postgres = new();

    /// <summary>Settings beyond the pinned ones, for this form's session on the Postgres side.</summary>
    public virtual string PostgresSettings => "SET LOCAL TimeZone = 'UTC';";

    public virtual string PostgresKeyText(ColumnSchema column) => "t." + PostgresIdentifier.Quote(column.Name) + "::text";

    /// <summary>What a key literal is compared with in a key lookup: the column itself, or its comparable text.</summary>
    public virtual string PostgresKeyOperand(ColumnSchema column) => "t." + PostgresIdentifier.Quote(column.Name);

    public virtual string PostgresKeyLiteral(ColumnSchema column, string text) => PostgresChunkReader.Literal(ColumnValue.Of(text), column.TypeName);

    public virtual string PostgresRowText(IReadOnlyList<ColumnSchema> columns) =>
        "ROW(" + string.Join(", ", columns.Select(c => "t." + PostgresIdentifier.Quote(c.Name))) + ")::text";

    /// <summary>The order-independent sum of the row hashes of a chunk, as text (a numeric: no overflow).</summary>
    public virtual string PostgresSum(string rowText) => $"coalesce(sum(hashtextextended({rowText}, 0)), 0)::text";

    public virtual string PostgresBucket(string keyTexts, int buckets) =>
        throw new NotSupportedException("Postgres destinations are compared by key ranges.");
}
