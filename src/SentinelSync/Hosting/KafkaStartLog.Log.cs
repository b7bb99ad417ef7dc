namespace SentinelSync.Hosting;

internal sealed partial class KafkaStartLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "librdkafka {Version} loaded from {Path}")]
    private static partial void Loaded(ILogger logger, string version, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "librdkafka is not loaded, Kafka sinks cannot run: {Reason}")]
    private static partial void NotLoaded(ILogger logger, string reason);
}
