using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Postgres;

internal sealed partial class PostgresDestinationTypes
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created type {Type} at the destination: {Statement}")]
    private static partial void LogTypeCreated(ILogger logger, string type, string statement);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created function {Function} at the destination (a domain or range of the source needs it)")]
    private static partial void LogFunctionCreated(ILogger logger, string function);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ensured extension {Extension} at the destination for {Type}")]
    private static partial void LogExtensionEnsured(ILogger logger, string extension, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Added label {Label} to enum {Type} at the destination, as at the source")]
    private static partial void LogEnumValueAdded(ILogger logger, string type, string label);
}
