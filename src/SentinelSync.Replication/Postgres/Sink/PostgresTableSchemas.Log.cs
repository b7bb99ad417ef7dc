using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

internal sealed partial class PostgresTableSchemas
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Target} for {Table} (schema version {Version})")]
    private static partial void LogTableCreated(ILogger logger, TableName target, TableName table, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evolved {Target} from schema version {From} to {To}: {Added} added, {Dropped} dropped, {Renamed} renamed, {Retyped} retyped")]
    private static partial void LogSchemaEvolved(ILogger logger, TableName target, int from, int to, int added, int dropped, int renamed, int retyped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Table {Table} is blocked: column {Column} needs type {Type}, which the destination lacks. {Error}")]
    private static partial void LogTypeBlocked(ILogger logger, TableName table, string column, string type, string error);
}
