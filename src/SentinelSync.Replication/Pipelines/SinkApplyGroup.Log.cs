using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

internal sealed partial class SinkApplyGroup
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}, sink {Sink}: {Tables} tables applied in one transaction failed; each is applied on its own instead: {Error}")]
    private static partial void LogRoundFailed(ILogger logger, string pipeline, string sink, int tables, string error);
}
