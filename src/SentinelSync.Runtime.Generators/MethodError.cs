using Microsoft.CodeAnalysis;

namespace SentinelSync.Runtime.Generators;

/// <summary>Why a grain method cannot be generated, and where it is.</summary>
internal sealed class MethodError
{
    public MethodError(string method, string reason, Location location)
    {
        Method = method;
        Reason = reason;
        Location = location;
    }

    public string Method { get; }

    public string Reason { get; }

    public Location Location { get; }
}
