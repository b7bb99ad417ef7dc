namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Quotes identifiers for SQL text. Every table, schema and column name written into a statement goes
/// through here; values never do (they travel as parameters or through COPY).
/// </summary>
internal static class PostgresIdentifier
{
    /// <summary><c>name</c> → <c>"name"</c>, doubling embedded quotes.</summary>
    public static string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Identifier '{identifier.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>"schema"."name"</c>.</summary>
    public static string Quote(TableName table) => Quote(table.Schema) + "." + Quote(table.Name);

    /// <summary>Quoted names joined with <c>, </c>, optionally each prefixed with an alias (<c>t."a", t."b"</c>).</summary>
    public static string List(IEnumerable<string> names, string? alias = null) =>
        string.Join(", ", names.Select(n => alias is null ? Quote(n) : alias + "." + Quote(n)));
}
