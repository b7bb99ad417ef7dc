namespace SentinelSync.Runtime;

/// <summary>The silo that should run a call is stopping, stopped or unreachable.</summary>
public sealed class SiloUnavailableException(string silo, string reason)
    : InvalidOperationException($"Silo '{silo}' is unavailable: {reason}.")
{
    public string Silo { get; } = silo;
}
