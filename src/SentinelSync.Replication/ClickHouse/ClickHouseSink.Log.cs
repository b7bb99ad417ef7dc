using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.ClickHouse;

public sealed partial class ClickHouseSink
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Sink {Sink} applied {Applied} changes of {Table} ({Skipped} already applied) as {Rows} ClickHouse rows through {Position}")]
    private static partial void LogBatchApplied(ILogger logger, string sink, TableName table, int applied, int skipped, int rows, Position position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {Table}: an update with unchanged TOAST columns found no live row for key {Key} in ClickHouse; it was not applied (as the Postgres sink leaves a missing row missing)")]
    private static partial void LogUnchangedWithoutRow(ILogger logger, TableName table, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {Table}, column {Column}: a value its ClickHouse type cannot hold was kept as its exact Postgres text in {Fallback} (the row is kept; said once per column, counted in sentinel_sink_values_fallback)")]
    private static partial void LogFallback(ILogger logger, TableName table, string column, string fallback);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sink {Sink} copied {Rows} snapshot rows of {Table} from {Position} into ClickHouse")]
    private static partial void LogCopyApplied(ILogger logger, string sink, TableName table, int rows, Position position);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sink {Sink}: the copied rows of {Table} from {Position} are at or below the stored position {Stored}; skipped")]
    private static partial void LogCopyAlreadyApplied(ILogger logger, string sink, TableName table, Position position, Position stored);
}
