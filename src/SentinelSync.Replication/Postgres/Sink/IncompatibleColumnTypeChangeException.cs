namespace SentinelSync.Replication.Postgres;

/// <summary>
/// The source changed a column's type and the destination could not convert its existing data
/// (<c>ALTER COLUMN … TYPE new USING col::text::new</c> failed). The batch was not applied.
/// </summary>
public sealed class IncompatibleColumnTypeChangeException(TableName table, string column, string oldType, string newType, Exception? innerException)
    : InvalidOperationException(
        $"Table {table}, column '{column}': the destination cannot change the type from {oldType} to {newType}"
        + (innerException is null ? "." : $" ({innerException.Message})."),
        innerException)
{
    public TableName Table { get; } = table;

    public string Column { get; } = column;

    public string OldType { get; } = oldType;

    public string NewType { get; } = newType;
}
