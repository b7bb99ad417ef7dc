namespace SentinelSync.Replication.Postgres;

/// <summary>Quoting for identifiers that DDL and COPY cannot take as parameters.</summary>
internal static class PostgresIdentifier
{
    /// <summary><c>"name"</c> with embedded double quotes doubled.</summary>
    public static string Quote(string identifier)
    {
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Postgres identifiers cannot contain NUL characters.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary><c>"schema"."table"</c>.</summary>
    public static string Quote(TableName table) => Quote(table.Schema) + "." + Quote(table.Name);
}
