namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A source column's type does not exist at the destination (typically a user enum, domain or extension type).
/// Create the type at the destination, or map it with <see cref="PostgresSinkOptions.TypeNameMapping"/>.
/// </summary>
public sealed class MissingDestinationTypeException(TableName table, string column, string typeName, Exception? innerException = null)
    : InvalidOperationException(
        $"Table {table}, column '{column}': type {typeName} does not exist at the destination. Create it there, "
        + $"or map it (for example to text) with {nameof(PostgresSinkOptions)}.{nameof(PostgresSinkOptions.TypeNameMapping)}.",
        innerException)
{
    public TableName Table { get; } = table;

    public string Column { get; } = column;

    public string TypeName { get; } = typeName;
}
