namespace SentinelSync.Configuration;

/// <summary>The <c>sinks[n].postgres</c> section.</summary>
public sealed class PostgresSinkConfig
{
    public string? Connection { get; set; }

    /// <summary>The destination schema the tables are written to.</summary>
    public string Schema { get; set; } = "public";
}
