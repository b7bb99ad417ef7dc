using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

public sealed partial class PostgresSourceSetup
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created publication {Publication} for {TableCount} tables")]
    private static partial void LogPublicationCreated(ILogger logger, string publication, int tableCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added {TableCount} tables to publication {Publication}")]
    private static partial void LogTablesAdded(ILogger logger, string publication, int tableCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {Table} has no primary key or replica identity: updates and deletes cannot be replicated until it gets one (ALTER TABLE ... REPLICA IDENTITY FULL or a primary key)")]
    private static partial void LogNoReplicaIdentity(ILogger logger, TableName table);

    private void LogPublicationCreated(string publication, int tableCount) => LogPublicationCreated(_logger, publication, tableCount);

    private void LogTablesAdded(string publication, int tableCount) => LogTablesAdded(_logger, publication, tableCount);

    private void LogNoReplicaIdentity(TableName table) => LogNoReplicaIdentity(_logger, table);
}
