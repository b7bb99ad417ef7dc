namespace SentinelSync.Replication;

/// <summary>A schema-qualified table name, unquoted.</summary>
[GenerateSerializer]
[Immutable]
public sealed record TableName(string Schema, string Name)
{
    public override string ToString() => $"{Schema}.{Name}";
}
