namespace SentinelSync.Configuration;

/// <summary>A pipeline's source: exactly one kind (today <c>postgres</c>).</summary>
public sealed class SourceConfig
{
    public PostgresSourceConfig? Postgres { get; set; }
}
