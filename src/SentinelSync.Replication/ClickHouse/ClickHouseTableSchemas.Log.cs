using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.ClickHouse;

internal sealed partial class ClickHouseTableSchemas
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created ClickHouse table {Target} for {Table} (schema version {Version})")]
    private static partial void LogTableCreated(ILogger logger, string target, TableName table, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {Table}, column {Column} ({SourceType}): ClickHouse cannot hold it faithfully: {Limitation}")]
    private static partial void LogColumnLimitation(ILogger logger, TableName table, string column, string sourceType, string limitation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evolved ClickHouse table {Target} from schema version {From} to {To}: {Added} added, {Dropped} dropped, {Renamed} renamed")]
    private static partial void LogSchemaEvolved(ILogger logger, string target, int from, int to, int added, int dropped, int renamed);
}
