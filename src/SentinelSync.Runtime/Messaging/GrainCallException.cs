namespace SentinelSync.Runtime;

/// <summary>A grain on another silo threw an exception whose type cannot be recreated here; its type name and message are kept.</summary>
public sealed class GrainCallException(string remoteType, string message, string silo)
    : Exception($"{remoteType} on silo '{silo}': {message}")
{
    public string RemoteType { get; } = remoteType;

    public string Silo { get; } = silo;
}
