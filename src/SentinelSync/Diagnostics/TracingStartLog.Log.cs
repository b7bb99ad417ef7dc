namespace SentinelSync.Diagnostics;

internal sealed partial class TracingStartLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting traces of {Source} over OTLP to {Endpoint}")]
    private static partial void TracingOn(ILogger logger, string source, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No OTLP endpoint (telemetry.otlpEndpoint, {Variable}): traces are not exported")]
    private static partial void TracingOff(ILogger logger, string variable);
}
