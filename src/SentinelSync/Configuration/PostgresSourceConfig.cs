namespace SentinelSync.Configuration;

/// <summary>The <c>source.postgres</c> section.</summary>
public sealed class PostgresSourceConfig
{
    public string? Connection { get; set; }

    public string? Publication { get; set; }

    public string? Slot { get; set; }

    /// <summary>Explicit <c>schema.table</c> names and <c>schema.*</c> patterns.</summary>
    public List<string> Tables { get; set; } = [];

    /// <summary><c>initial</c> (copy existing rows, then stream) or <c>never</c>.</summary>
    public string Snapshot { get; set; } = "initial";
}
