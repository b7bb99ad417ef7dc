using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

internal sealed partial class SourceRunner
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string pipeline, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: the snapshot was interrupted; restarting it (attempt {Attempt}) under a fresh snapshot, then streaming from the slot")]
    private static partial void LogSnapshotRestart(ILogger logger, string pipeline, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: copied {Rows} rows of {Table}")]
    private static partial void LogTableCopied(ILogger logger, string pipeline, TableName table, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: snapshot completed (attempt {Attempt})")]
    private static partial void LogSnapshotCompleted(ILogger logger, string pipeline, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: streaming from slot {Slot}, {Tables} tables")]
    private static partial void LogStreaming(ILogger logger, string pipeline, string slot, int tables);
}
