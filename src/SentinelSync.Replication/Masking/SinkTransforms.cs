namespace SentinelSync.Replication.Masking;

/// <summary>The transforms of one sink, by source table (config <c>sinks[n].transforms</c>).</summary>
public sealed class SinkTransforms
{
    private readonly Dictionary<TableName, TableTransformConfig> _tables;
    private readonly Masker _masker;

    public SinkTransforms(IEnumerable<TableTransformConfig> transforms, MaskingOptions masking)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        _tables = transforms.ToDictionary(t => t.TableName ?? throw new ArgumentException($"'{t.Table}' is not schema.table", nameof(transforms)));
        _masker = new Masker(masking);
    }

    /// <summary>A fresh transform for one table (each sink grain keeps its own), or null when the sink takes the table as it is.</summary>
    public TableTransform? For(TableName table) =>
        _tables.TryGetValue(table, out var config) ? new TableTransform(config, _masker) : null;
}
