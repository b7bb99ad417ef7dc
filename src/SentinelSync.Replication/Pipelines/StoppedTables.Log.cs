using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

internal sealed partial class StoppedTables
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: table {Table} stopped: the source cannot tell for sure whether columns were renamed or dropped and added in schema version {Version} ({Columns}), because the catalog changed again before the change was read; rather than guess where values go, its changes are kept in the slot while the other tables flow. Resync it: sentinel resync {Pipeline} {Table}")]
    private static partial void LogStopped(ILogger logger, string pipeline, TableName table, int version, string columns);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: table {Table} resumes with its resync")]
    private static partial void LogReleased(ILogger logger, string pipeline, TableName table);
}
