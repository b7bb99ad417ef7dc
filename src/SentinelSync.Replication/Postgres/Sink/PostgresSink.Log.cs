using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

public sealed partial class PostgresSink
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Sink {Sink} applied {Applied} changes of {Table} ({Skipped} already applied) through {Position}")]
    private static partial void LogBatchApplied(ILogger logger, string sink, TableName table, int applied, int skipped, Position position);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sink {Sink}: the copied rows of {Table} from {Position} were already applied; skipped")]
    private static partial void LogCopyAlreadyApplied(ILogger logger, string sink, TableName table, Position position);
}
