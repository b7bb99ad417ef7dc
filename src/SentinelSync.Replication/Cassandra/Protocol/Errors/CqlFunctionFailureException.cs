namespace SentinelSync.Replication.Cassandra.Protocol.Errors;

/// <summary>A user-defined function failed.</summary>
public sealed class CqlFunctionFailureException(string message, string keyspace, string function, IReadOnlyList<string> argumentTypes)
    : CqlServerException(CqlErrorCode.FunctionFailure, message)
{
    public string Keyspace { get; } = keyspace;

    public string Function { get; } = function;

    public IReadOnlyList<string> ArgumentTypes { get; } = argumentTypes;
}
