namespace SentinelSync.Replication.Cassandra;

/// <summary>CQL identifiers: always double-quoted, so case and reserved words are kept exactly as in the source.</summary>
public static class CqlIdentifier
{
    public static string Quote(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' cannot be a CQL identifier (empty or contains NUL)", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal: single quotes doubled.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
