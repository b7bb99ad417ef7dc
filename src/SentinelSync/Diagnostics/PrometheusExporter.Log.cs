namespace SentinelSync.Diagnostics;

public sealed partial class PrometheusExporter
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Instrument {Meter}/{Instrument} is not exported: its name {Name} is already taken by another kind of metric or other histogram buckets")]
    private static partial void NameTaken(ILogger logger, string meter, string instrument, string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "An observable instrument's callback failed during a scrape; its series are missing from this scrape")]
    private static partial void ObservationFailed(ILogger logger, Exception exception);
}
