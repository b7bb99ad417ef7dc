namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A source column's type does not exist at the destination and the sink could not create it (no source
/// definition to read, an extension the destination cannot install, no privilege). Raised inside a
/// <see cref="Sinks.TableBlockedException"/>: the table waits until the type exists.
/// </summary>
public sealed class MissingDestinationTypeException(TableName table, string column, string typeName, string fix, Exception? innerException = null)
    : InvalidOperationException(
        $"Table {table}, column '{column}': type {typeName} does not exist at the destination and could not be created"
        + (innerException is null ? "" : $" ({innerException.Message.TrimEnd('.')})") + $". Fix: {fix}",
        innerException)
{
    public TableName Table { get; } = table;

    public string Column { get; } = column;

    public string TypeName { get; } = typeName;
}
