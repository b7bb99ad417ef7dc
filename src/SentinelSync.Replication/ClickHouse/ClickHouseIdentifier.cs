namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Quotes identifiers for ClickHouse SQL with backticks. Every database, table and column name written into a
/// statement goes through here; values never do (they go through <see cref="ClickHouseEscaping"/>).
/// </summary>
internal static class ClickHouseIdentifier
{
    /// <summary><c>name</c> → <c>`name`</c>, escaping backslashes and backticks the way 18.16's lexer reads them.</summary>
    public static string Quote(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Identifier '{identifier.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.", nameof(identifier));
        }

        return "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";
    }

    /// <summary><c>`database`.`table`</c>.</summary>
    public static string Quote(string database, string table) => Quote(database) + "." + Quote(table);

    /// <summary>Quoted names joined with <c>, </c>.</summary>
    public static string List(IEnumerable<string> names) => string.Join(", ", names.Select(Quote));
}
