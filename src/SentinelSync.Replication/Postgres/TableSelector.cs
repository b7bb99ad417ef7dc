using System.Diagnostics.CodeAnalysis;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// One entry of <see cref="PostgresSourceOptions.Tables"/>: a schema and either a table name or <c>*</c>
/// (every ordinary and partitioned table of the schema). Names are matched exactly, as stored in the catalog.
/// </summary>
public sealed record TableSelector(string Schema, string? Table)
{
    /// <summary>True for <c>schema.*</c>.</summary>
    public bool IsPattern => Table is null;

    /// <summary>Parses <c>schema.table</c> or <c>schema.*</c>; throws <see cref="FormatException"/> otherwise.</summary>
    public static TableSelector Parse(string text) =>
        TryParse(text, out var selector) ? selector : throw new FormatException($"'{text}' is neither schema.table nor schema.*.");

    /// <summary>Parses <c>schema.table</c> or <c>schema.*</c>: exactly one dot, both parts non-empty.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TableSelector? selector)
    {
        selector = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1 || text.IndexOf('.', dot + 1) >= 0)
        {
            return false;
        }

        var schema = text[..dot];
        var table = text[(dot + 1)..];
        if (schema.Contains('*', StringComparison.Ordinal) || (table.Contains('*', StringComparison.Ordinal) && table != "*"))
        {
            return false;
        }

        selector = new TableSelector(schema, table == "*" ? null : table);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table ?? "*"}";
}
