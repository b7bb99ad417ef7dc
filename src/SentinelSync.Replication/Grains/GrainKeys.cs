namespace SentinelSync.Replication.Grains;

/// <summary>
/// Keys of the pipeline grains: the source grain is keyed by the pipeline name, a table grain by
/// <c>pipeline/schema.table</c>, a sink grain by <c>pipeline/sink/schema.table</c>. Pipeline and sink names
/// cannot contain '/', so the last part (the table) may.
/// </summary>
public static class GrainKeys
{
    public static string Table(string pipeline, TableName table) => $"{pipeline}/{table}";

    public static string Sink(string pipeline, string sink, TableName table) => $"{pipeline}/{sink}/{table}";

    public static (string Pipeline, TableName Table) ParseTable(string key)
    {
        var parts = key.Split('/', 2);
        return (parts[0], ParseTableName(parts[1]));
    }

    public static (string Pipeline, string Sink, TableName Table) ParseSink(string key)
    {
        var parts = key.Split('/', 3);
        return (parts[0], parts[1], ParseTableName(parts[2]));
    }

    private static TableName ParseTableName(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return new TableName(text[..dot], text[(dot + 1)..]);
    }
}
