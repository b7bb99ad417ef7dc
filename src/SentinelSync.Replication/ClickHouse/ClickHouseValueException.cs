namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// A source value that the column's ClickHouse type cannot hold or that is not in the text form the mapping
/// expects (for example NaN in a Decimal column, a multidimensional array). Permanent: the batch belongs in the
/// dead-letter queue, or the column needs another mapping (<see cref="ClickHouseSinkOptions.SourceTypeOverride"/>).
/// </summary>
public sealed class ClickHouseValueException(string message) : InvalidOperationException(message);
